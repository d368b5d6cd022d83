import { defineCommand, stringOption, UsageError, type CliArgs, type CliContext } from '../command';
import { table } from '../format';
import { assertSupportedEngine } from '../../docker/engine-candidates';
import { parseDaily, parseEvery } from '../../services/schedule-plan';
import { describeRule, type Schedule, type ScheduleRule, type ScheduleRun } from '../../../shared/schedule-types';

const USAGE = [
  'volsnap schedule set <workload> --every <duration> | --daily HH:MM | --off',
  '       volsnap schedule list',
  '       volsnap schedule run-due   (for cron, systemd timers, launchd)',
].join('\n');

type ScheduleResult =
  | { action: 'set'; workload: string; schedule: Schedule | null }
  | { action: 'list'; schedules: Schedule[] }
  | { action: 'run-due'; runs: ScheduleRun[] };

/** `volsnap schedule set|list|run-due`: scheduled captures, per engine and workload. */
export const scheduleCommand = defineCommand<ScheduleResult>({
  name: 'schedule',
  usage: USAGE,
  summary: 'Capture workloads on a schedule (set, list, run-due for cron)',
  options: { every: { type: 'string' }, daily: { type: 'string' }, off: { type: 'boolean' } },
  positionals: { min: 1, max: 2 },
  // `list` must work while the engine is down; set and run-due sweep and check the engine themselves.
  mutating: false,
  async run(ctx, args) {
    const [action, workload] = args.positionals;
    if (action === 'list' && workload === undefined) {
      return { action, schedules: await ctx.services().schedules.list() };
    }
    if (action === 'set' && workload !== undefined) {
      const rule = ruleOf(args);
      await prepare(ctx);
      return { action, workload, schedule: await ctx.services().schedules.set(workload, rule) };
    }
    if (action === 'run-due' && workload === undefined) {
      await prepare(ctx);
      return { action, runs: await ctx.services().schedules.runDue() };
    }
    throw new UsageError(
      `expected "schedule set <workload> …", "schedule list" or "schedule run-due".\nUsage: ${USAGE}`,
    );
  },
  human: (result) => {
    switch (result.action) {
      case 'set':
        return result.schedule
          ? `${result.schedule.workloadName}: ${describeRule(result.schedule.rule)}, next run ${nextRun(result.schedule)}`
          : `${result.workload}: no schedule`;
      case 'list':
        return scheduleTable(result.schedules);
      case 'run-due':
        return runLines(result.runs);
    }
  },
  // Cron mails (and systemd marks) a failed run; a workload that was busy waits and is not a failure.
  failed: (result) => result.action === 'run-due' && result.runs.some((r) => r.outcome === 'failed'),
});

function ruleOf(args: CliArgs): ScheduleRule | null {
  const every = stringOption(args, 'every');
  const daily = stringOption(args, 'daily');
  const off = args.values.off === true;
  if ([every !== undefined, daily !== undefined, off].filter(Boolean).length !== 1) {
    throw new UsageError(`give exactly one of --every <duration>, --daily HH:MM or --off.\nUsage: ${USAGE}`);
  }
  if (every !== undefined) return { kind: 'every', seconds: parseEvery(every) };
  if (daily !== undefined) return { kind: 'daily', at: parseDaily(daily) };
  return null;
}

/** What mutating commands get from runCli: crash cleanup, and an engine new enough for captures. */
async function prepare(ctx: CliContext): Promise<void> {
  const services = ctx.services();
  await assertSupportedEngine(services.docker);
  await services.sweep();
}

function scheduleTable(schedules: Schedule[]): string {
  if (schedules.length === 0)
    return 'No schedules on this engine. Add one with: volsnap schedule set <workload> --every 1h';
  return table(
    ['WORKLOAD', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'OUTCOME'],
    schedules.map((s) => [
      s.workloadName,
      describeRule(s.rule),
      nextRun(s),
      s.lastRunAt ? localTime(s.lastRunAt) : '-',
      s.lastOutcome === null ? '-' : s.lastError ? `${s.lastOutcome}: ${s.lastError}` : s.lastOutcome,
    ]),
  );
}

function runLines(runs: ScheduleRun[]): string {
  if (runs.length === 0) return 'Nothing due.';
  return runs
    .map((r) => {
      if (r.outcome === 'succeeded') return `${r.workloadName}: captured ${r.snapshotName ?? r.snapshotId ?? ''}`;
      return `${r.workloadName}: ${r.outcome}: ${r.error ?? ''}`;
    })
    .join('\n');
}

/** "due now" (the next `run-due` or app tick captures it) or the local time of the next run. */
function nextRun(schedule: Schedule): string {
  return Date.parse(schedule.nextRunAt) <= Date.now() ? 'due now' : localTime(schedule.nextRunAt);
}

/** "2026-12-02 03:00" in local time: daily schedules are written in local time too. */
function localTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
