import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '.';
import { RetentionService } from './retention-service';
import { JobRunner } from './jobs';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../test/engine';
import type { Snapshot } from '../../shared/types';

/** Incompressible and new each time, so every snapshot holds its own ~500 KB (no chunk is shared). */
const FRESH_DATA = (dir: string) => `rm -f ${dir}/* && head -c 500000 /dev/urandom > ${dir}/data-$$`;

describeEngine('store quota (maxStoreBytes) after each capture', () => {
  const docker = testDocker();
  const data = tempDir('volsnap-quota-');
  let services: Services;
  const workloads: TestWorkload[] = [];

  beforeAll(() => {
    services = createServices({ dataDir: data.path, docker });
  });
  afterAll(async () => {
    for (const w of workloads) await w.remove();
    services.close();
    data.remove();
  });

  async function workload(): Promise<TestWorkload> {
    const volume = uniqueName('quota');
    const w = await createWorkload(docker, {
      services: [{ name: uniqueName('quota-app'), volumes: [{ volume, destination: '/data' }] }],
      seed: FRESH_DATA(`/seed/${volume}`),
    });
    workloads.push(w);
    return w;
  }

  async function capture(w: TestWorkload, name: string, store = services): Promise<Snapshot> {
    await runScript(docker, [`${w.volumes[0]}:/v`], FRESH_DATA('/v'));
    return (await store.capture.start({ workload: w.id, mode: 'live', name })).done;
  }

  const names = (store = services) =>
    store.snapshots
      .list()
      .map((s) => s.name)
      .sort();

  it('prunes the oldest unpinned snapshots until under the limit, never a pinned, in-use or newest one', async () => {
    const other = await workload();
    const app = await workload();
    const otherOnly = await capture(other, uniqueName('other-only'));
    const pinned = await capture(app, uniqueName('pinned'));
    services.snapshots.update(pinned.id, { pinned: true });
    const read = await capture(app, uniqueName('being-read'));
    const third = await capture(app, uniqueName('third'));
    const fourth = await capture(app, uniqueName('fourth'));
    // A restore or diff reading it holds this lease: the quota must leave it alone.
    const lease = services.leases.snapshots.hold(read, { id: JobRunner.newId(), kind: 'verify' });
    try {
      // With the next capture, six snapshots of ~500 KB (2.9 MiB); 2 MiB leaves room for four.
      services.settings.set('maxStoreBytes', '2 MiB');
      expect(services.settings.get('maxStoreBytes')).toBe(2 * 1024 ** 2);
      const fifth = await capture(app, uniqueName('fifth'));
      // Oldest first: the other workload's only snapshot is its newest, `pinned` is pinned, `read` is
      // in use; `third` and `fourth` go, and the newest capture stays.
      expect(names()).toEqual([otherOnly.name, pinned.name, read.name, fifth.name].sort());
      expect(names()).not.toContain(third.name);
      expect(names()).not.toContain(fourth.name);
    } finally {
      lease.release();
    }
    // Seven captures on a loaded two-core machine.
  }, 600_000);

  it('stops as soon as the estimate is under the limit, and runs afterPrune (gc) once', async () => {
    // A store of its own, so the snapshots of the test above are not candidates.
    const own = tempDir('volsnap-quota-own-');
    const store = createServices({ dataDir: own.path, docker });
    try {
      const app = await workload();
      const s1 = await capture(app, uniqueName('s1'), store);
      const s2 = await capture(app, uniqueName('s2'), store);
      const s3 = await capture(app, uniqueName('s3'), store);
      let gcRuns = 0;
      const retention = new RetentionService(store.snapshots, store.settings, {
        usage: store.usage,
        afterPrune: async () => void gcRuns++,
      });
      // Just under the present size: deleting the oldest snapshot is enough, so only it goes.
      store.settings.set('maxStoreBytes', store.usage.quotaBytes() - 1000);
      const result = await retention.prune();
      expect(result.deleted.map((d) => d.name)).toEqual([s1.name]);
      expect(result.deleted[0]!.reason).toMatch(/^store over its .+ limit$/);
      expect(names(store)).toEqual([s2.name, s3.name].sort());
      expect(gcRuns).toBe(1);
      // Under the limit now: a second prune deletes nothing and runs no gc.
      expect((await retention.prune()).deleted).toEqual([]);
      expect(gcRuns).toBe(1);
    } finally {
      store.close();
      own.remove();
    }
  }, 600_000);
});
