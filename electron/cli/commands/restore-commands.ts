import { defineCommand, parseFlags, stringOption, UsageError } from '../command';
import { table } from '../format';
import { followJob } from '../progress';
import type { RestorePlan, RestoreResult } from '../../../shared/restore-types';
import type { RecoverReport } from '../../services/restore/recovery';
import { phaseText } from '../../../shared/job-phase';

function planText(plan: RestorePlan): string {
  const lines = [
    `Restore ${plan.snapshotName} (${plan.snapshotId}) into ${plan.workloadId}`,
    '',
    table(
      ['SNAPSHOT VOLUME', 'INTO', 'VOLUME IS', 'MOUNTED AT', 'BY'],
      plan.volumes.map((v) => [
        v.volumeName,
        v.targetVolume,
        v.exists === false ? 'created' : 'overwritten',
        v.mountDestination || '-',
        v.owner,
      ]),
    ),
    '',
    `containers involved: ${plan.containers?.join(', ') || 'none (only the volumes are restored)'}`,
    `stops and restarts: ${plan.containersToStop.join(', ') || 'nothing (no container runs)'}`,
    ...(plan.notes ?? []),
  ];
  const details = plan.details;
  if (details && plan.volumes.length > 0)
    lines.push(
      `changes made since ${details.snapshotCreatedAt} to ${plan.volumes.map((v) => v.targetVolume).join(', ')} will be replaced`,
    );
  if (details && details.lastRestore)
    lines.push(
      `expected downtime: about ${Math.round(details.lastRestore.downtimeMs)} ms (the last restore of this workload)`,
    );
  for (const change of details?.imageChanges ?? [])
    lines.push(
      `WARNING: ${change.container} was captured with ${change.capturedImage} and now runs ${change.currentImage}`,
    );
  if (plan.blockers.length > 0) lines.push('', 'cannot restore:', ...plan.blockers.map((b) => `  - ${b}`));
  return lines.join('\n');
}

/** Named apart: the flag parser quotes them in its errors. */
const RESTORE = {
  name: 'restore',
  usage:
    'volsnap restore <snapshot> --confirm <snapshot name> [--volume NAME]... [--no-safety-snapshot] [--workload ID] | --dry-run',
};

export const restoreCommand = defineCommand<RestoreResult | RestorePlan>({
  ...RESTORE,
  summary: 'Restore a snapshot into its workload (stop, stage, swap, start); --dry-run shows the plan',
  options: {
    confirm: { type: 'string' },
    'no-safety-snapshot': { type: 'boolean' },
    workload: { type: 'string' },
    'dry-run': { type: 'boolean' },
    volume: { type: 'string', multiple: true },
  },
  positionals: { min: 1, max: 1 },
  mutating: true,
  async run(ctx, args) {
    const services = ctx.services();
    // Repeatable: only these snapshot volumes are restored (and only their containers stopped).
    const { snapshot, volumes } = await parseFlags(RESTORE, (c) => c.contract.previewRestore.input, {
      snapshot: args.positionals[0],
      volumes: args.values.volume,
    });
    if (args.values['dry-run'] === true) return services.restore.preview(snapshot, volumes);
    const confirm = stringOption(args, 'confirm');
    if (confirm === undefined)
      throw new UsageError('restore needs --confirm <snapshot name> (or --dry-run to see the plan)');
    const input = await parseFlags(RESTORE, (c) => c.RestoreInput, {
      snapshot,
      confirm,
      safetySnapshot: args.values['no-safety-snapshot'] !== true,
    });
    const handle = await services.restore.start({ ...input, workload: stringOption(args, 'workload'), volumes });
    // Cancel is honoured only before the swap; afterwards the restore finishes.
    return followJob(services, handle, ctx.stderr);
  },
  // A dry run whose plan cannot run is a failure for scripts (`volsnap restore --dry-run x && …`).
  failed: (result) => 'blockers' in result && result.blockers.length > 0,
  human: (result) =>
    'blockers' in result
      ? planText(result)
      : [
          `Restored snapshot ${result.snapshotId}.`,
          `downtime ${result.downtimeMs} ms (swap window ${result.swapWindowMs} ms, old contents deleted in ${result.deleteMs} ms before the start)`,
          ...(result.containersGone.length > 0
            ? [`not started (removed during the restore): ${result.containersGone.join(', ')}`]
            : []),
          result.safetySnapshotId ? `safety snapshot ${result.safetySnapshotId} (kept 7 days)` : 'no safety snapshot',
        ].join('\n'),
});

export const recoverCommand = defineCommand<RecoverReport>({
  name: 'recover',
  usage: 'volsnap recover',
  summary: 'Finish or undo restores that a crash interrupted (also runs before every mutating command)',
  positionals: { min: 0, max: 0 },
  mutating: false,
  async run(ctx) {
    // Not `mutating`: the sweep's own recovery would leave nothing to report. Sweep after instead.
    // Waiting for Docker to settle can take seconds: say so (not with --json, whose stderr is the error).
    const report = await ctx.services().restore.recover((p) =>
      // Only a retried start carries words of its own.
      ctx.json || p.phase !== 'starting-containers' || !p.detail ? undefined : ctx.stderr.write(`${phaseText(p)}\n`),
    );
    await ctx.services().sweep();
    return report;
  },
  human: (r) =>
    r.rolledBack.length + r.rolledForward.length + r.waiting.length === 0
      ? 'Nothing to recover.'
      : [
          ...r.rolledBack.map((id) => `rolled back restore ${id}: the volumes kept their previous contents`),
          ...r.rolledForward.map((id) => `finished restore ${id}: the volumes hold the snapshot`),
          ...r.waiting.map(
            (id) =>
              `restore ${id} waits: another Volsnap job holds one of its volumes; run volsnap recover again later`,
          ),
          ...r.containers.flatMap((c) => [
            ...(c.gone.length > 0 ? [`restore ${c.jobId}: not started, no longer exist: ${c.gone.join(', ')}`] : []),
            ...(c.retried.length > 0
              ? [`restore ${c.jobId}: started after waiting for Docker to settle: ${c.retried.join(', ')}`]
              : []),
          ]),
        ].join('\n'),
});
