import { defineCommand, stringOption, UsageError } from '../command';
import { humanBytes, table } from '../format';
import type { ExtractResult, SnapshotFileEntry, SnapshotFileListing } from '../../../shared/file-types';

/** `volsnap ls`, `cat` and `extract`: what a snapshot holds, read from the store alone (no engine). */

export const lsCommand = defineCommand<SnapshotFileListing | SnapshotFileEntry[]>({
  name: 'ls',
  usage: 'volsnap ls <snapshot> [--volume NAME] [PATH]',
  summary: 'List the files inside a snapshot (type, size, mode, owner, time); works with the engine down',
  options: { volume: { type: 'string' } },
  positionals: { min: 1, max: 2 },
  mutating: false,
  async run(ctx, args) {
    const listing = ctx.services().snapshotFiles.list({
      snapshot: args.positionals[0]!,
      volume: stringOption(args, 'volume'),
      path: args.positionals[1],
    });
    // --json: the entries as one array, the form scripts expect from an `ls`.
    return ctx.json ? listing.entries : listing;
  },
  human: (result) => (Array.isArray(result) ? JSON.stringify(result) : listingText(result)),
});

export const catCommand = defineCommand<null>({
  name: 'cat',
  usage: 'volsnap cat <snapshot> --volume NAME PATH',
  summary: "Write one file's bytes from a snapshot to stdout; works with the engine down",
  options: { volume: { type: 'string' } },
  positionals: { min: 2, max: 2 },
  mutating: false,
  writesOwnOutput: true,
  async run(ctx, args) {
    const ref = { snapshot: args.positionals[0]!, volume: stringOption(args, 'volume'), path: args.positionals[1]! };
    try {
      await ctx.services().snapshotFiles.writeFile(ref, ctx.stdout);
    } catch (error) {
      // `volsnap cat … | head` closes the pipe early: that is the reader's choice, not a failure.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
    return null;
  },
  human: () => '',
});

export const extractCommand = defineCommand<ExtractResult>({
  name: 'extract',
  usage: 'volsnap extract <snapshot> [--volume NAME] [--path PATH]… --to DIR [--preserve-owner]',
  summary: 'Copy files or folders out of a snapshot into a new or empty folder; works with the engine down',
  options: {
    volume: { type: 'string' },
    path: { type: 'string', multiple: true },
    to: { type: 'string' },
    'preserve-owner': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  mutating: false,
  async run(ctx, args) {
    const to = stringOption(args, 'to');
    if (to === undefined) throw new UsageError('extract needs --to DIR: a new or empty folder to copy the files into');
    const paths = args.values.path;
    return ctx.services().snapshotFiles.extract({
      snapshot: args.positionals[0]!,
      volume: stringOption(args, 'volume'),
      paths: Array.isArray(paths) ? paths : [],
      to,
      preserveOwner: args.values['preserve-owner'] === true,
    });
  },
  human: (r) =>
    [
      `Extracted ${r.paths.join(', ')} of volume ${r.volume} into ${r.to}: ${r.files} file(s) (${humanBytes(r.bytes)}), ${r.dirs} folder(s), ${r.links} link(s).`,
      r.ownersApplied
        ? 'Owners were set as in the snapshot.'
        : 'Files are owned by you; setuid/setgid bits were dropped.',
      ...r.skipped.map((s) => `skipped ${s.path}: ${s.reason}`),
    ].join('\n'),
});

function listingText(listing: SnapshotFileListing): string {
  if (listing.entries.length === 0) return `${listing.path} is an empty folder.`;
  const rows = listing.entries.map((e) => [
    typeLetter(e),
    e.type === 'file' || e.type === 'volume' ? humanBytes(e.size) : '-',
    e.type === 'volume' ? '-' : modeText(e.mode),
    e.type === 'volume' ? '-' : `${e.uid}:${e.gid}`,
    e.type === 'volume' ? '-' : timeText(e.mtime),
    e.type === 'symlink' || e.type === 'hardlink'
      ? `${e.name} -> ${e.linkTarget ?? ''}`
      : e.type === 'dir'
        ? `${e.name}/`
        : e.name,
  ]);
  const more = listing.truncated ? '\n… more entries matched (use --json or narrow the search)' : '';
  return table(['TYPE', 'SIZE', 'MODE', 'OWNER', 'MODIFIED', 'NAME'], rows) + more;
}

function typeLetter(e: SnapshotFileEntry): string {
  return { file: '-', dir: 'd', symlink: 'l', hardlink: 'h', other: 'c', volume: 'v' }[e.type];
}

function modeText(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

function timeText(seconds: number): string {
  return new Date(seconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}
