import { defineCommand, stringOption, UsageError } from '../command';
import { table } from '../format';
import { followJob } from '../progress';
import type { RestorePlan, RestoreResult } from '../../../shared/restore-types';

function planText(plan: RestorePlan): string {
  const lines = [
    `Restore ${plan.snapshotName} (${plan.snapshotId}) into ${plan.workloadId}`,
    '',
    table(
      ['SNAPSHOT VOLUME', 'OVERWRITES', 'MOUNTED AT', 'BY'],
      plan.volumes.map((v) => [v.volumeName, v.targetVolume, v.mountDestination, v.owner]),
    ),
    '',
    `stops and restarts: ${plan.containersToStop.join(', ') || 'nothing (no container runs)'}`,
  ];
  if (plan.blockers.length > 0) lines.push('', 'cannot restore:', ...plan.blockers.map((b) => `  - ${b}`));
  return lines.join('\n');
}

export const restoreCommand = defineCommand<RestoreResult | RestorePlan>({
  name: 'restore',
  usage: 'volsnap restore <snapshot> --confirm <snapshot name> [--no-safety-snapshot] [--workload ID] | --dry-run',
  summary: 'Restore a snapshot into its workload (stop, stage, swap, start); --dry-run shows the plan',
  options: {
    confirm: { type: 'string' },
    'no-safety-snapshot': { type: 'boolean' },
    workload: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  mutating: true,
  async run(ctx, args) {
    const services = ctx.services();
    const snapshot = args.positionals[0]!;
    if (args.values['dry-run'] === true) return services.restore.preview(snapshot);
    const confirm = stringOption(args, 'confirm');
    if (confirm === undefined)
      throw new UsageError('restore needs --confirm <snapshot name> (or --dry-run to see the plan)');
    const handle = await services.restore.start({
      snapshot,
      confirm,
      safetySnapshot: args.values['no-safety-snapshot'] !== true,
      workload: stringOption(args, 'workload'),
    });
    // Cancel is honoured only before the swap; afterwards the restore finishes.
    return followJob(services, handle, ctx.stderr);
  },
  human: (result) =>
    'blockers' in result
      ? planText(result)
      : [
          `Restored snapshot ${result.snapshotId}.`,
          `downtime ${result.downtimeMs} ms, swap window ${result.swapWindowMs} ms`,
          result.safetySnapshotId ? `safety snapshot ${result.safetySnapshotId} (kept 7 days)` : 'no safety snapshot',
        ].join('\n'),
});

export const recoverCommand = defineCommand<{ rolledBack: string[]; rolledForward: string[] }>({
  name: 'recover',
  usage: 'volsnap recover',
  summary: 'Finish or undo restores that a crash interrupted (also runs before every mutating command)',
  positionals: { min: 0, max: 0 },
  mutating: false,
  async run(ctx) {
    // Not `mutating`: the sweep's own recovery would leave nothing to report. Sweep after instead.
    const report = await ctx.services().restore.recover();
    await ctx.services().sweep();
    return report;
  },
  human: (r) =>
    r.rolledBack.length + r.rolledForward.length === 0
      ? 'Nothing to recover.'
      : [
          ...r.rolledBack.map((id) => `rolled back restore ${id}: the volumes kept their previous contents`),
          ...r.rolledForward.map((id) => `finished restore ${id}: the volumes hold the snapshot`),
        ].join('\n'),
});
