import { afterAll, beforeAll, expect, it } from 'vitest';
import { BackgroundScheduler, type SchedulerTimers } from './background-scheduler';
import { createServices, type Services } from '.';
import { EngineScope } from './engine-scope';
import { ScheduleService } from './schedule-service';
import { EngineRegistry } from '../store/engine-registry';
import { createWorkload, describeEngine, tempDir, testDocker, uniqueName, type TestWorkload } from '../../test/engine';

/** Timers stepped by hand: the test says when a minute or an hour has passed. */
function manualTimers(): SchedulerTimers & { count: number } {
  const timers = { count: 0, setInterval: () => ++timers.count, clearInterval: () => undefined };
  return timers;
}

describeEngine('schedules and background retention', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  const workloads: TestWorkload[] = [];

  beforeAll(() => {
    services = createServices({ dataDir: data.path, docker });
  });

  afterAll(async () => {
    services.close();
    for (const w of workloads) await w.remove();
    data.remove();
  });

  async function workload(): Promise<TestWorkload> {
    const w = await createWorkload(docker, {
      services: [{ name: uniqueName('sched'), volumes: [{ volume: uniqueName('sched-v'), destination: '/data' }] }],
      seed: 'for d in /seed/*; do echo hello > $d/file; done',
    });
    workloads.push(w);
    return w;
  }

  /** A schedule service on this store with its own clock. */
  function scheduleAt(clock: { now: number }): ScheduleService {
    return new ScheduleService({
      db: services.db,
      docker,
      engines: new EngineScope(docker, new EngineRegistry(services.db)),
      leases: services.leases,
      capture: services.capture,
      workloads: services.workloads,
      dataDir: data.path,
      settings: services.settings,
      now: () => clock.now,
    });
  }

  const scheduled = (w: TestWorkload) => services.snapshots.list(w.id).filter((s) => s.trigger === 'schedule');

  it('runs a never-captured workload at once, and a second run-due right after captures nothing', async () => {
    const w = await workload();
    await services.schedules.set(w.name, { kind: 'every', seconds: 3600 });
    const first = await services.schedules.runDue();
    expect(first.filter((r) => r.workloadId === w.id).map((r) => r.outcome)).toEqual(['succeeded']);
    const second = await services.schedules.runDue();
    expect(second.filter((r) => r.workloadId === w.id)).toEqual([]);
    expect(scheduled(w)).toHaveLength(1);
    const [listed] = (await services.schedules.list()).filter((s) => s.workloadId === w.id);
    expect(listed).toMatchObject({ lastOutcome: 'succeeded', lastSnapshotId: scheduled(w)[0]!.id });
    // The next run is an hour after that snapshot (the later of the run's start and its snapshot).
    expect(Date.parse(listed!.nextRunAt) - Date.parse(scheduled(w)[0]!.createdAt)).toBe(3_600_000);
  });

  it('waits (not fails) while a capture of the same workload runs, and captures at the next tick', async () => {
    const w = await workload();
    await services.schedules.set(w.id, { kind: 'every', seconds: 3600 });
    // What a capture of this workload in any process holds while it runs: the workload lease.
    const running = services.leases.acquire(w.id, { id: 'aaaaaaaaaaaaaaaa', kind: 'capture' });
    const [waiting] = (await services.schedules.runDue()).filter((r) => r.workloadId === w.id);
    expect(waiting).toMatchObject({ outcome: 'waiting' });
    expect(waiting!.error).toMatch(/capture of .* is running.*tried again in a minute/);
    expect(scheduled(w)).toHaveLength(0);
    expect((await services.schedules.list()).find((s) => s.workloadId === w.id)?.lastOutcome).toBe('waiting');
    running.release();
    const [next] = (await services.schedules.runDue()).filter((r) => r.workloadId === w.id);
    expect(next?.outcome).toBe('succeeded');
    expect(scheduled(w)).toHaveLength(1);
  });

  it('runs a schedule missed while the app was closed once at start, not once per missed slot', async () => {
    const w = await workload();
    const clock = { now: Date.now() };
    const schedules = scheduleAt(clock);
    await schedules.set(w.id, { kind: 'every', seconds: 3600 });
    expect((await schedules.runDue()).filter((r) => r.workloadId === w.id)).toHaveLength(1);
    // Closed for five hours: five hourly slots went by.
    clock.now += 5 * 3_600_000 + 60_000;
    const timers = manualTimers();
    const scheduler = new BackgroundScheduler({ schedules, retention: services.retention, log: () => {}, timers });
    await scheduler.start();
    expect(scheduled(w)).toHaveLength(2);
    clock.now += 60_000;
    await scheduler.tick();
    expect(scheduled(w)).toHaveLength(2);
    scheduler.stop();
  });

  it('expires pre-restore snapshots in the background without a capture, never one in use', async () => {
    const w = await workload();
    const safety = await (await services.capture.start({ workload: w.id, trigger: 'pre-restore' })).done;
    const read = await (await services.capture.start({ workload: w.id, trigger: 'pre-restore' })).done;
    // Both expired a day ago; `read` is being read by a job (a restore or a diff of it).
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    services.db.prepare(`UPDATE snapshots SET expires_at = ? WHERE id IN (?, ?)`).run(yesterday, safety.id, read.id);
    const lease = services.leases.snapshots.hold(read, { id: 'bbbbbbbbbbbbbbbb', kind: 'restore' });
    const before = services.snapshots.list(w.id).length;
    const scheduler = new BackgroundScheduler({
      schedules: { runDue: async () => [] },
      retention: services.retention,
      log: () => {},
      timers: manualTimers(),
    });
    await scheduler.start();
    const left = services.snapshots.list(w.id).map((s) => s.id);
    expect(left).not.toContain(safety.id);
    expect(left).toContain(read.id);
    expect(left).toHaveLength(before - 1);
    lease.release();
    await scheduler.maintain();
    expect(services.snapshots.list(w.id)).toHaveLength(before - 2);
    scheduler.stop();
  });
});
