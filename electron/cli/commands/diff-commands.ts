import { defineCommand, parseFlags, stringOption, UsageError, type CliContext } from '../command';
import { humanBytes } from '../format';
import { followJob } from '../progress';
import type { DiffEntry, DiffResult, DiffSummary, FileDiff, VolumeDiff } from '../../../shared/diff-types';

/** A person reading a terminal wants the gist; `--json` has every entry. */
const MAX_LINES_PER_VOLUME = 500;

/** Named apart: the flag parser quotes them in its errors. */
const DIFF = {
  name: 'diff',
  usage: 'volsnap diff <snapshot> [--against current|<snapshot>] [--mode live|pause] [--volume NAME --file PATH]',
};

export const diffCommand = defineCommand<DiffResult | FileDiff>({
  ...DIFF,
  summary: 'Show what changed since a snapshot (against the live volumes or another snapshot)',
  options: {
    against: { type: 'string' },
    mode: { type: 'string' },
    volume: { type: 'string' },
    file: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  mutating: false,
  async run(ctx, args) {
    const snapshot = args.positionals[0];
    const against = stringOption(args, 'against');
    const volume = stringOption(args, 'volume');
    const file = stringOption(args, 'file');
    if ((volume === undefined) !== (file === undefined))
      throw new UsageError('a file diff needs both --volume NAME and --file PATH');
    if (volume !== undefined && file !== undefined) {
      const input = await parseFlags(DIFF, (c) => c.FileDiffInput, { snapshot, against, volume, path: file });
      return ctx.services().diff.fileDiff(input);
    }
    return runDiff(ctx, await parseFlags(DIFF, (c) => c.DiffInput, { snapshot, against, mode: args.values.mode }));
  },
  human: (result) => ('kind' in result ? fileDiffText(result) : diffText(result)),
});

/** Runs the diff, drawing the job's progress and cancelling it on Ctrl-C. */
async function runDiff(
  ctx: CliContext,
  input: { snapshot: string; against?: string; mode?: 'live' | 'pause' },
): Promise<DiffResult> {
  const services = ctx.services();
  const handle = await services.diff.start(input);
  if (handle.jobId === null) return handle.done;
  return followJob(services, { jobId: handle.jobId, done: handle.done }, ctx.stderr);
}

function diffText(result: DiffResult): string {
  const against = result.against === 'current' ? 'the current volumes' : `snapshot ${result.against.slice(0, 12)}`;
  const lines = [`Changes from snapshot ${result.snapshotId.slice(0, 12)} to ${against}:`];
  for (const volume of result.volumes) lines.push('', ...volumeText(volume));
  lines.push('', `total  ${summaryText(result.summary)}`);
  return lines.join('\n');
}

function volumeText(volume: VolumeDiff): string[] {
  const presence =
    volume.presence === 'before-only'
      ? ' (only in the snapshot)'
      : volume.presence === 'after-only'
        ? ` (not in the snapshot)`
        : '';
  const rows = [
    ...volume.added.map((e) => `  + ${entryText(e)}`),
    ...volume.removed.map((e) => `  - ${entryText(e)}`),
    ...volume.modified.map(
      (m) =>
        `  ~ ${shownPath(m.path)}  ${m.changes.join(', ')}${m.before.size !== m.after.size ? `  ${humanBytes(m.before.size)} → ${humanBytes(m.after.size)}` : ''}`,
    ),
  ];
  const shown = rows.slice(0, MAX_LINES_PER_VOLUME);
  if (rows.length > shown.length) shown.push(`  … ${rows.length - shown.length} more (use --json for all)`);
  if (rows.length === 0) shown.push('  no changes');
  return [`volume ${volume.volumeName}${presence}  ${summaryText(volume.summary)}`, ...shown];
}

function entryText(entry: DiffEntry): string {
  const name = shownPath(entry.path);
  return entry.type === 'file' ? `${name}  ${humanBytes(entry.size)}` : `${name}  (${entry.type})`;
}

/** Paths as typed in a shell: quoted only when a space, quote or control character would mislead. */
function shownPath(path: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\s"'\\\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path;
}

function summaryText(s: DiffSummary): string {
  return `${s.added} added (${humanBytes(s.addedBytes)}), ${s.removed} removed (${humanBytes(s.removedBytes)}), ${s.modified} modified (${humanBytes(s.modifiedBytes)})`;
}

function fileDiffText(diff: FileDiff): string {
  switch (diff.kind) {
    case 'same':
      return `${diff.path} in ${diff.volumeName}: no difference.`;
    case 'text':
      return diff.unified.trimEnd();
    case 'binary': {
      const side = (s: { size: number; sha256: string | null } | null) =>
        s === null ? 'absent' : `${humanBytes(s.size)}${s.sha256 ? ` sha256 ${s.sha256}` : ''}`;
      return [
        `Binary files differ: ${diff.path} in ${diff.volumeName}`,
        `  before  ${side(diff.before)}`,
        `  after   ${side(diff.after)}`,
      ].join('\n');
    }
  }
}
