import { randomBytes } from 'node:crypto';
import { Catalog } from '../../electron/store/catalog';
import { openDb } from '../../electron/store/db';
import { SettingsStore } from '../../electron/store/settings-store';
import { DEFAULT_SETTINGS } from '../../shared/settings';

/**
 * Writes `count` ready snapshots of one workload straight into a data dir's catalog (no
 * archives: enough for list rendering, not for restore). One transaction, so it takes seconds.
 */
export function seedSnapshots(dataDir: string, workload: { id: string; name: string }, count: number): void {
  const db = openDb(dataDir);
  const catalog = new Catalog(db);
  const start = Date.now() - count * 60_000;
  try {
    // A store that keeps them all: `volsnap serve` applies retention at start (background-scheduler.ts).
    new SettingsStore(db).set('keepLast', Math.max(count, DEFAULT_SETTINGS.keepLast));
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = randomBytes(8).toString('hex');
        catalog.insertCapturing({
          id,
          name: `seeded-${String(i).padStart(5, '0')}`,
          note: i % 7 === 0 ? `note ${i}` : '',
          workloadId: workload.id,
          workloadName: workload.name,
          createdAt: new Date(start + i * 60_000).toISOString(),
          trigger: i % 10 === 0 ? 'schedule' : 'manual',
          mode: 'pause',
          expiresAt: null,
          provenance: { engineVersion: '20.10', engineHost: 'seed', containers: [], mounts: [] },
        });
        const bytes = 1_000_000 + ((i * 7919) % 500_000);
        catalog.markReady(id, [
          {
            position: 0,
            volumeName: `${workload.name}-data`,
            owner: workload.name,
            mountDestination: '/data',
            archiveFile: `0-${workload.name}-data.tar.zst`,
            format: 1,
            sizeBytes: bytes * 3,
            storedBytes: bytes,
            fileCount: 10 + (i % 50),
            sha256: '0'.repeat(64),
          },
        ]);
      }
    })();
  } finally {
    db.close();
  }
}
