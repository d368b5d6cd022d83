import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BackgroundScheduler } from '../../services/background-scheduler';
import { createServices, type Services } from '../../services';
import { CLI_BIN, ensureCliBuilt, runCliSync, type CliResult } from '../../../test/cli';
import {
  createWorkload,
  describeEngine,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';
import type { Schedule, ScheduleRun } from '../../../shared/schedule-types';

/** Runs the CLI without blocking this process, so it can race this process's scheduler. */
function runCli(dataDir: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn('node', [CLI_BIN, '--data-dir', dataDir, ...args], { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeEngine('volsnap schedule', () => {
  const docker = testDocker();
  const data = tempDir();
  /** The app's side: another process on the same data dir. */
  let app: Services;
  const workloads: TestWorkload[] = [];

  beforeAll(() => {
    ensureCliBuilt();
    app = createServices({ dataDir: data.path, docker });
  });

  afterAll(async () => {
    app.close();
    for (const w of workloads) await w.remove();
    data.remove();
  });

  async function workload(): Promise<TestWorkload> {
    const w = await createWorkload(docker, {
      services: [{ name: uniqueName('cron'), volumes: [{ volume: uniqueName('cron-v'), destination: '/data' }] }],
      seed: 'for d in /seed/*; do echo hello > $d/file; done',
    });
    workloads.push(w);
    return w;
  }

  const cli = (...args: string[]) => runCliSync(data.path, args);
  const scheduled = (w: TestWorkload) => app.snapshots.list(w.id).filter((s) => s.trigger === 'schedule');
  const runsOf = (r: CliResult, w: TestWorkload) =>
    (JSON.parse(r.stdout) as { runs: ScheduleRun[] }).runs.filter((run) => run.workloadId === w.id);

  it('run-due twice in a row captures once, and list shows the run', async () => {
    const w = await workload();
    const set = cli('schedule', 'set', w.name, '--every', '1h');
    expect(set.stderr).toBe('');
    expect(set.stdout).toMatch(new RegExp(`^${w.name}: every 1h, next run `));
    const first = cli('schedule', 'run-due', '--json');
    expect(first.code).toBe(0);
    expect(runsOf(first, w).map((r) => r.outcome)).toEqual(['succeeded']);
    const second = cli('schedule', 'run-due', '--json');
    expect(second.code).toBe(0);
    expect(runsOf(second, w)).toEqual([]);
    expect(scheduled(w)).toHaveLength(1);
    const listed = (JSON.parse(cli('schedule', 'list', '--json').stdout) as { schedules: Schedule[] }).schedules;
    expect(listed.find((s) => s.workloadId === w.id)).toMatchObject({
      rule: { kind: 'every', seconds: 3600 },
      lastOutcome: 'succeeded',
      lastSnapshotId: scheduled(w)[0]!.id,
    });
    const table = cli('schedule', 'list').stdout;
    expect(table).toMatch(/^WORKLOAD\s+SCHEDULE\s+NEXT RUN\s+LAST RUN\s+OUTCOME/);
    expect(table).toMatch(new RegExp(`${w.name}\\s+every 1h\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+.*succeeded`));
  });

  it('waits while a capture of the workload runs in another process (exit 0), then captures', async () => {
    const w = await workload();
    cli('schedule', 'set', w.id, '--daily', '03:00');
    // This process holds the workload the way a running capture (the app's, another CLI's) does.
    const capture = app.leases.acquire(w.id, { id: 'cccccccccccccccc', kind: 'capture' });
    const busy = cli('schedule', 'run-due', '--json');
    expect(busy.code).toBe(0);
    expect(runsOf(busy, w)).toMatchObject([{ outcome: 'waiting' }]);
    expect(scheduled(w)).toHaveLength(0);
    capture.release();
    const next = cli('schedule', 'run-due', '--json');
    expect(runsOf(next, w).map((r) => r.outcome)).toEqual(['succeeded']);
    expect(scheduled(w)).toHaveLength(1);
  });

  it("the app's scheduler and two run-due from cron racing for one slot capture once", async () => {
    const w = await workload();
    cli('schedule', 'set', w.id, '--every', '30m');
    const scheduler = new BackgroundScheduler({ schedules: app.schedules, retention: app.retention, log: () => {} });
    const [a, b] = await Promise.all([
      runCli(data.path, ['schedule', 'run-due', '--json']),
      runCli(data.path, ['schedule', 'run-due', '--json']),
      scheduler.start(),
    ]);
    scheduler.stop();
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(scheduled(w)).toHaveLength(1);
    expect(scheduled(w)[0]!.status).toBe('ready');
  });

  it('exits non-zero with the reason when a scheduled capture fails', async () => {
    const w = await workload();
    cli('schedule', 'set', w.id, '--every', '1h');
    await docker.getContainer(w.containers[0]!).remove({ force: true });
    const failed = cli('schedule', 'run-due');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`${w.name}: failed: No workload "${w.id}" on this engine`);
    // The failed slot is not retried every minute: the next run-due has nothing due.
    expect(cli('schedule', 'run-due').stdout).toBe('Nothing due.\n');
    expect(cli('schedule', 'list').stdout).toMatch(/failed: No workload/);
  });

  it('explains bad schedules and removes one with --off', async () => {
    const w = await workload();
    const bad = cli('schedule', 'set', w.id, '--every', 'hourly');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"hourly" is not a duration. Write it like 15m, 1h, 1h30m or 1d');
    expect(cli('schedule', 'set', w.id, '--every', '1h', '--daily', '03:00').code).toBe(2);
    cli('schedule', 'set', w.id, '--daily', '3:30');
    expect(cli('schedule', 'list').stdout).toMatch(new RegExp(`${w.name}\\s+daily at 03:30\\s+due now`));
    expect(cli('schedule', 'set', w.id, '--off').stdout).toBe(`${w.id}: no schedule\n`);
    expect(cli('schedule', 'list').stdout).not.toContain(w.name);
  });
});
