import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inspectImage, removeImage } from '../../docker/images';
import { ensureCliBuilt, runCliSync, type CliResult } from '../../../test/cli';
import { bundleOfVolumes, forgedVolume, plainEntries } from '../bundle/bundle-forge.test-util';
import { describeEngine, tempDir, testDocker, uniqueName } from '../../../test/engine';
import { registryAvailable, startRegistry, type TestRegistry } from '../../../test/registry';
import type { Snapshot } from '../../../shared/types';

/**
 * `volsnap pull` killed (SIGKILL) at each durable step, from a real registry: after the next
 * start-up sweep (`volsnap recover`) the store holds either no snapshot or the whole pulled one,
 * listed with its trigger and image provenance and passing `volsnap verify`; no temporary area
 * or stray archive folder is left, and no reader container. What a crash does leave is the
 * pulled image, tagged with the reference the user asked for: what `docker pull` leaves, holding
 * only what the registry already serves (asserted below, then removed by the test).
 */
describeEngine('volsnap pull survives a crash at any step', { timeout: 900_000 }, () => {
  const docker = testDocker();
  const dir = tempDir('volsnap-pull-crash-');
  let registry: TestRegistry;
  let ref: string;
  let captured: Snapshot;
  const login = () => ({ DOCKER_CONFIG: registry.loginConfigDir });
  const json = <T>(r: CliResult): T => {
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  const listing = (p: string) => (existsSync(p) ? readdirSync(p) : []);

  beforeAll(async () => {
    if (!registryAvailable()) throw new Error('docker-registry and htpasswd are missing: run scripts/install-deps.sh');
    ensureCliBuilt();
    registry = await startRegistry();
    // The source snapshot comes from a bundle (stored as is), so this test does not depend on the
    // capture's store format. Two volumes: a crash can fall between the first stream checked and the second.
    const bundle = path.join(dir.path, 'source.volsnap');
    writeFileSync(
      bundle,
      bundleOfVolumes(
        [
          await forgedVolume('crash-a', plainEntries('crash-a')),
          await forgedVolume('crash-b', [
            { path: 'crash-b/', type: 'Directory' },
            { path: 'crash-b/blob', body: randomBytes(200_000) },
          ]),
        ],
        (doc) => (doc.snapshot.name = 'crashy'),
      ),
    );
    const source = path.join(dir.path, 'source');
    captured = json<Snapshot>(runCliSync(source, ['--json', 'import', bundle]));
    ref = `${registry.host}/${uniqueName('crash/snap')}:v1`;
    json(runCliSync(source, ['--json', 'push', 'crashy', ref], login()));
  }, 600_000);

  afterAll(async () => {
    await removeImage(docker, ref).catch(() => undefined);
    await registry?.stop();
    dir.remove();
  });

  it.each([
    'pull-image-pulled',
    'pull-reader-created',
    'import-checked:1',
    'import-checked:2',
    'import-moved',
    'import-recorded',
  ])('after a crash at %s, the next start leaves the whole pulled snapshot or none', async (step) => {
    const store = path.join(dir.path, step.replace(':', '-'));
    const readersBefore = await readerContainers();
    const run = runCliSync(store, ['--json', 'pull', ref], { ...login(), VOLSNAP_CRASH_AT: step });
    expect(run.code, `the pull should die at ${step}: ${run.stderr}`).toBeNull();
    // What the dead pull left, so the checks below show the sweep removing it.
    if (step !== 'pull-image-pulled') expect((await readerContainers()).length).toBe(readersBefore.length + 1);
    if (step.startsWith('import-')) expect(listing(path.join(store, 'incoming'))).toHaveLength(1);

    const recover = runCliSync(store, ['recover']);
    expect(recover.code, recover.stderr).toBe(0);
    const snapshots = json<Snapshot[]>(runCliSync(store, ['--json', 'list', '--all-engines']));
    // Only a crash after the commit's transaction keeps the snapshot, and then it is whole.
    const kept = step === 'import-recorded';
    expect(snapshots.map((s) => s.status)).toEqual(kept ? ['ready'] : []);
    for (const s of snapshots) {
      expect(s).toMatchObject({ name: 'crashy', trigger: 'pull', fileCount: captured.fileCount });
      expect(s.provenance?.imported).toMatchObject({ source: 'registry', image: { reference: ref } });
      const verify = runCliSync(store, ['verify', s.id]);
      expect(verify.code, verify.stderr).toBe(0);
    }
    expect(listing(path.join(store, 'archives'))).toEqual(snapshots.map((s) => s.id));
    expect(listing(path.join(store, 'incoming')), 'the dead pull’s temporary area').toEqual([]);
    expect(listing(path.join(store, 'tmp'))).toEqual([]);
    expect(await readerContainers(), 'the dead pull’s reader container').toEqual(readersBefore);

    // Left on purpose: the image, as `docker pull` leaves it. Removed so the next step pulls afresh.
    expect(await inspectImage(docker, ref)).not.toBeNull();
    await removeImage(docker, ref);
  });

  it('without a crash, a pull leaves neither image nor reader container', async () => {
    const readersBefore = await readerContainers();
    const store = path.join(dir.path, 'clean');
    const pulled = json<{ snapshot: Snapshot }>(runCliSync(store, ['--json', 'pull', ref], login()));
    expect(pulled.snapshot).toMatchObject({ trigger: 'pull', status: 'ready' });
    expect(await inspectImage(docker, ref)).toBeNull();
    expect(await readerContainers()).toEqual(readersBefore);
  });

  /** The pull's reader containers on the Engine (created, never started). */
  async function readerContainers(): Promise<string[]> {
    const all = await docker.listContainers({ all: true, filters: { label: ['io.volsnap.helper'] } });
    return all
      .filter((c) => c.Command.includes('volsnap-never-started'))
      .map((c) => c.Id)
      .sort();
  }
});
