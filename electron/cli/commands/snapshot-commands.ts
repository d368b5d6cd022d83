import { defineCommand, parseFlags, stringOption, UsageError } from '../command';
import { humanBytes, humanTime, table } from '../format';
import { followJob } from '../progress';
import type { Snapshot, Workload } from '../../../shared/types';
import { jobPhaseText } from '../../../shared/job-phase';
import { verifyText } from './verify-text';

/** Lists that span engines (`list --all-engines`) get an ENGINE column. */
function snapshotTable(snapshots: Snapshot[]): string {
  if (snapshots.length === 0) return 'No snapshots.';
  const engines = new Set(snapshots.map((s) => s.engineId));
  if (engines.size < 2) return snapshotRows(snapshots);
  return table(
    ['ENGINE', 'ID', 'NAME', 'WORKLOAD', 'CREATED', 'TRIGGER', 'MODE', 'STATUS', 'SIZE', 'STORED', 'FILES', 'PINNED'],
    snapshots.map((s) => [s.engineName ?? '-', ...snapshotCells(s)]),
  );
}

function snapshotRows(snapshots: Snapshot[]): string {
  return table(
    ['ID', 'NAME', 'WORKLOAD', 'CREATED', 'TRIGGER', 'MODE', 'STATUS', 'SIZE', 'STORED', 'FILES', 'PINNED'],
    snapshots.map(snapshotCells),
  );
}

function snapshotCells(s: Snapshot): string[] {
  return [
    s.id.slice(0, 12),
    s.name,
    s.workloadName,
    humanTime(s.createdAt),
    s.trigger,
    s.mode,
    s.status,
    humanBytes(s.sizeBytes),
    humanBytes(s.storedBytes),
    String(s.fileCount),
    s.pinned ? 'yes' : '',
  ];
}

export function snapshotDetails(s: Snapshot): string {
  const lines = [
    `${s.name}  (${s.id})`,
    `workload  ${s.workloadName} (${s.workloadId})`,
    `created   ${humanTime(s.createdAt)}  trigger ${s.trigger}  mode ${s.mode}`,
    `engine    ${s.engineName ?? 'not recorded (captured before engines were recorded)'}${s.engineId ? ` (id ${s.engineId})` : ''}`,
    `status    ${s.status}${s.failureReason ? `: ${s.failureReason}` : ''}${s.pinned ? '  pinned' : ''}${s.expiresAt ? `  expires ${humanTime(s.expiresAt)}` : ''}`,
    `size      ${humanBytes(s.sizeBytes)} in ${s.fileCount} files, ${humanBytes(s.storedBytes)} stored`,
  ];
  if (s.note) lines.push(`note      ${s.note}`);
  if (s.volumes.length > 0) {
    lines.push(
      '',
      table(
        ['VOLUME', 'MOUNTED AT', 'BY', 'SIZE', 'STORED', 'FILES', 'SHA256'],
        s.volumes.map((v) => [
          v.volumeName,
          v.mountDestination,
          v.owner,
          humanBytes(v.sizeBytes),
          humanBytes(v.storedBytes),
          String(v.fileCount),
          v.sha256.slice(0, 16),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export const workloadsCommand = defineCommand<Workload[]>({
  name: 'workloads',
  usage: 'volsnap workloads [--all]',
  summary: 'List compose projects, standalone containers and volumes no container uses (--all: anonymous ones too)',
  options: { all: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  mutating: false,
  run: (ctx, args) => ctx.services().workloads.list(undefined, { showAnonymous: args.values.all === true }),
  human: (workloads) =>
    workloads.length === 0
      ? 'No containers on this engine.'
      : table(
          ['ID', 'STATUS', 'CONTAINERS', 'VOLUMES', 'BIND MOUNTS (not captured)', 'LAST SNAPSHOT'],
          workloads.map((w) => [
            w.id,
            w.removed ? 'removed' : w.status,
            w.containers.map((c) => c.name).join(','),
            w.volumes.map((v) => v.name).join(',') || '-',
            w.bindMounts.map((b) => b.destination).join(',') || '-',
            humanTime(w.lastSnapshotAt),
          ]),
        ),
});

/** Named apart: the flag parser quotes them in its errors. */
const CAPTURE = {
  name: 'capture',
  usage: 'volsnap capture <workload> [--name NAME] [--note TEXT] [--mode live|pause|stop] [--volume NAME]...',
};

export const captureCommand = defineCommand<Snapshot>({
  ...CAPTURE,
  summary: 'Snapshot the volumes of a workload',
  options: {
    name: { type: 'string' },
    note: { type: 'string' },
    mode: { type: 'string' },
    volume: { type: 'string', multiple: true },
  },
  positionals: { min: 1, max: 1 },
  mutating: true,
  async run(ctx, args) {
    const input = await parseFlags(CAPTURE, (c) => c.CaptureInput, {
      workload: args.positionals[0],
      name: stringOption(args, 'name'),
      note: stringOption(args, 'note'),
      mode: stringOption(args, 'mode'),
      volumes: args.values.volume,
    });
    const services = ctx.services();
    const handle = await services.capture.start({ ...input, trigger: 'cli' });
    return followJob(services, handle, ctx.stderr);
  },
  human: snapshotDetails,
});

export const listCommand = defineCommand<Snapshot[]>({
  name: 'list',
  usage: 'volsnap list [<workload>] [--all-engines]',
  summary: "List snapshots, newest first (the current engine's; --all-engines for every engine's)",
  options: { 'all-engines': { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  mutating: false,
  async run(ctx, args) {
    const services = ctx.services();
    const ref = args.positionals[0];
    let id: string | undefined;
    if (ref !== undefined) {
      // A workload that no longer exists on the engine still has snapshots: accept its id or name.
      const known = services.snapshots.list().find((s) => s.workloadId === ref || s.workloadName === ref);
      id = known?.workloadId ?? (await services.workloads.resolve(ref)).id;
    }
    const all = services.snapshots.list(id);
    if (args.values['all-engines'] === true) return all;
    const { snapshots, view } = await services.engines.filter(all);
    if (!view.online) {
      const which = view.engine ? `engine "${view.engine.name}"` : 'the engine';
      ctx.stderr.write(`volsnap: ${which} is offline: showing the snapshots last known to belong to it.\n`);
    }
    return snapshots;
  },
  human: snapshotTable,
});

export const showCommand = defineCommand<Snapshot>({
  name: 'show',
  usage: 'volsnap show <snapshot>',
  summary: 'Show one snapshot with its volumes',
  positionals: { min: 1, max: 1 },
  mutating: false,
  run: async (ctx, args) => ctx.services().snapshots.show(args.positionals[0]!),
  human: snapshotDetails,
});

function pinCommand(pinned: boolean) {
  return defineCommand<Snapshot>({
    name: pinned ? 'pin' : 'unpin',
    usage: `volsnap ${pinned ? 'pin' : 'unpin'} <snapshot>`,
    summary: pinned ? 'Keep a snapshot from retention' : 'Let retention prune a snapshot again',
    positionals: { min: 1, max: 1 },
    mutating: true,
    run: async (ctx, args) => ctx.services().snapshots.update(args.positionals[0]!, { pinned }),
    human: (s) => `${s.name} ${pinned ? 'pinned' : 'unpinned'}`,
  });
}
export const pinSnapshotCommand = pinCommand(true);
export const unpinSnapshotCommand = pinCommand(false);

const DELETE = { name: 'delete', usage: 'volsnap delete <snapshot> --confirm <snapshot name> [--force]' };

export const deleteCommand = defineCommand<Snapshot>({
  ...DELETE,
  summary: 'Delete a snapshot (archives first, then its row)',
  options: { confirm: { type: 'string' }, force: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  mutating: true,
  freesSpace: true,
  run: async (ctx, args) => {
    const confirm = stringOption(args, 'confirm');
    if (confirm === undefined) throw new UsageError('delete needs --confirm <snapshot name>');
    const input = await parseFlags(DELETE, (c) => c.contract.deleteSnapshot.input, {
      snapshot: args.positionals[0],
      confirm,
      force: args.values.force,
    });
    return ctx.services().snapshots.delete(input.snapshot, { confirm: input.confirm, force: input.force === true });
  },
  human: (s) => `Deleted ${s.name} (${s.id})`,
});

export const verifyCommand = defineCommand({
  name: 'verify',
  usage: 'volsnap verify <snapshot>',
  summary: 'Re-hash the archives (every chunk) and check them against the manifest',
  positionals: { min: 1, max: 1 },
  mutating: false,
  run: (ctx, args) => ctx.services().snapshots.verify(args.positionals[0]!),
  human: verifyText,
  // Scripts and CI check the exit code, not the text: a damaged snapshot must fail the step.
  failed: (r) => !r.ok,
});

export const pruneCommand = defineCommand({
  name: 'prune',
  usage: 'volsnap prune',
  summary: 'Apply retention (keep-last, max age, expiry) to every workload',
  positionals: { min: 0, max: 0 },
  mutating: true,
  freesSpace: true,
  run: (ctx) => ctx.services().retention.prune(),
  human: (r) =>
    r.deleted.length === 0 ? 'Nothing to prune.' : r.deleted.map((d) => `deleted ${d.name} (${d.reason})`).join('\n'),
});

export const jobsCommand = defineCommand({
  name: 'jobs',
  usage: 'volsnap jobs',
  summary: 'List recent jobs with their outcome',
  positionals: { min: 0, max: 0 },
  mutating: false,
  run: async (ctx) => ctx.services().jobs.recent(),
  human: (jobs) =>
    jobs.length === 0
      ? 'No jobs yet.'
      : table(
          ['ID', 'KIND', 'WORKLOAD', 'STATUS', 'PHASE', 'STARTED', 'FINISHED', 'ERROR'],
          jobs.map((j) => [
            j.id.slice(0, 12),
            j.kind,
            j.workloadId,
            j.status,
            jobPhaseText(j),
            humanTime(j.startedAt),
            humanTime(j.finishedAt),
            j.error ? `${j.error.kind}: ${j.error.message}` : '',
          ]),
        ),
});
