import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '.';
import { EngineScope } from './engine-scope';
import type { LockWait } from './schedule-lock-wait';
import { ScheduleService } from './schedule-service';
import { lockName, lockVolumes, type VolumeLocks } from '../docker/volume-lock';
import { EngineRegistry } from '../store/engine-registry';
import { createWorkload, describeEngine, tempDir, testDocker, uniqueName, type TestWorkload } from '../../test/engine';

/**
 * A scheduled capture whose volumes another job holds waits for it instead of failing, and gives
 * up clearly for that slot if the volumes stay held past the bound. The holder is a live job of
 * another store on the engine: the same engine-wide lock containers its restore takes
 * (volume-lock.ts), held by this test process. The wait's sleep steps a manual clock: no timing.
 */
describeEngine('a scheduled run waits for volumes another job holds', () => {
  const docker = testDocker();
  const storeA = tempDir('volsnap-sched-a-');
  const storeB = tempDir('volsnap-sched-b-');
  let w: TestWorkload;
  let b: Services;

  beforeAll(async () => {
    w = await createWorkload(docker, {
      services: [
        { name: uniqueName('schedlock'), volumes: [{ volume: uniqueName('schedlock-v'), destination: '/data' }] },
      ],
      seed: 'for d in /seed/*; do echo hello > $d/file; done',
    });
    b = createServices({ dataDir: storeB.path, docker });
  });
  afterAll(async () => {
    b?.close();
    for (const v of w?.volumes ?? [])
      await docker
        .getContainer(lockName(v))
        .remove({ force: true })
        .catch(() => undefined);
    await w?.remove();
    storeA.remove();
    storeB.remove();
  });

  /** Store A's restore holding the workload's volumes (its engine-wide locks), from its preflight to its end. */
  const restoreOfA = (): Promise<VolumeLocks> =>
    lockVolumes(docker, w.volumes, {
      jobId: 'restoreofstorea1',
      kind: 'restore',
      dataDir: storeA.path,
      image: 'busybox:latest',
    });

  /** Store B's schedules on its own clock and lock wait. */
  function schedulesOfB(clock: { now: number }, wait: Omit<LockWait, 'sleep'>, sleep: LockWait['sleep']) {
    return new ScheduleService({
      db: b.db,
      docker,
      engines: new EngineScope(docker, new EngineRegistry(b.db)),
      leases: b.leases,
      capture: b.capture,
      workloads: b.workloads,
      dataDir: storeB.path,
      settings: b.settings,
      now: () => clock.now,
      lockWait: { ...wait, sleep },
    });
  }

  const scheduledOfB = () => b.snapshots.list(w.id).filter((s) => s.trigger === 'schedule');

  it("waits while another store's restore holds the volumes, and captures once it ends", async () => {
    const restore = await restoreOfA();
    const clock = { now: Date.now() };
    const seenWhileWaiting: { outcome: string | null; error: string | null }[] = [];
    const schedules = schedulesOfB(clock, { boundMs: 3_600_000, pollMs: 60_000 }, async (ms) => {
      clock.now += ms;
      const [listed] = (await schedules.list()).filter((s) => s.workloadId === w.id);
      seenWhileWaiting.push({ outcome: listed?.lastOutcome ?? null, error: listed?.lastError ?? null });
      // The restore ends while the scheduled run waits.
      await restore.release();
    });
    await schedules.set(w.id, { kind: 'every', seconds: 3600 });

    const runs = (await schedules.runDue()).filter((r) => r.workloadId === w.id);

    expect(runs.map((r) => [r.outcome, r.error])).toEqual([['succeeded', null]]);
    // While it waited, the schedule said why (what the app's workload view and sidebar show).
    expect(seenWhileWaiting).toHaveLength(1);
    expect(seenWhileWaiting[0]!.outcome).toBe('waiting');
    expect(seenWhileWaiting[0]!.error).toContain(`in use by a restore of the store at ${storeA.path}`);
    expect(seenWhileWaiting[0]!.error).toMatch(/starts when it is free, or gives up at/);
    expect(scheduledOfB().map((s) => s.status)).toEqual(['ready']);
    // The wait left no failed capture job behind.
    expect(b.jobs.recent().filter((j) => j.status === 'failed')).toEqual([]);
    expect((await schedules.list()).find((s) => s.workloadId === w.id)?.lastOutcome).toBe('succeeded');
  });

  it('gives up for the slot, saying why, when the volumes stay held past the bound', async () => {
    const restore = await restoreOfA();
    try {
      // Two hours on: the hourly schedule is due again.
      const clock = { now: Date.now() + 2 * 3_600_000 };
      let naps = 0;
      const schedules = schedulesOfB(clock, { boundMs: 5 * 60_000, pollMs: 60_000 }, async (ms) => {
        clock.now += ms;
        naps++;
      });
      const jobsBefore = b.jobs.recent().length;

      const runs = (await schedules.runDue()).filter((r) => r.workloadId === w.id);

      expect(runs.map((r) => r.outcome)).toEqual(['failed']);
      expect(runs[0]!.error).toMatch(/^The scheduled capture waited 5m for its volumes and gave up for this slot/);
      expect(runs[0]!.error).toContain(`in use by a restore of the store at ${storeA.path}`);
      expect(naps).toBe(5);
      const [listed] = (await schedules.list()).filter((s) => s.workloadId === w.id);
      expect(listed).toMatchObject({ lastOutcome: 'failed', lastError: runs[0]!.error });
      // Nothing was captured or started, and the workload is free for the user again.
      expect(scheduledOfB()).toHaveLength(1);
      expect(b.jobs.recent()).toHaveLength(jobsBefore);
      expect(b.leases.holder(w.id)).toBeNull();
      // Not retried every minute: the slot is recorded as run.
      clock.now += 60_000;
      expect((await schedules.runDue()).filter((r) => r.workloadId === w.id)).toEqual([]);
    } finally {
      await restore.release();
    }
  });
});
