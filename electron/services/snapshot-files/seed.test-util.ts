import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { forgeVolume, type ForgedEntry } from '../restore/forge.test-util';
import type { Services } from '../index';

/**
 * Test-only: a ready snapshot of one volume whose archive holds exactly `entries`, made without the
 * Engine (a capture record, then restore's forger writes the archive and its manifest).
 */
export async function seedSnapshot(
  services: Services,
  options: { volume: string; entries: ForgedEntry[]; workload?: string },
): Promise<string> {
  const id = randomBytes(8).toString('hex');
  const workload = options.workload ?? 'seeded';
  services.catalog.insertCapturing({
    id,
    name: `${workload}-${id.slice(0, 6)}`,
    note: '',
    workloadId: `container:${workload}`,
    workloadName: workload,
    createdAt: new Date().toISOString(),
    trigger: 'manual',
    mode: 'live',
    expiresAt: null,
    provenance: { engineVersion: 'test', engineHost: 'test', containers: [], mounts: [] },
  });
  await services.files.makeDir(id);
  const archiveFile = `${options.volume}.tar.zst`;
  writeFileSync(services.files.pathOf(id, archiveFile), '');
  services.catalog.markReady(id, [
    {
      position: 0,
      archiveFile,
      format: 1,
      volumeName: options.volume,
      owner: workload,
      mountDestination: '/data',
      sizeBytes: 0,
      storedBytes: 0,
      fileCount: 0,
      sha256: '',
    },
  ]);
  forgeVolume(services, { snapshotId: id, position: 0, entries: options.entries });
  return id;
}
