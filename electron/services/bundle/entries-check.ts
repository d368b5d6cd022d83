import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { Bomb } from './check-worker-protocol';
import { ZstdTarSink } from './zstd-tar-sink';
import { EntryChecker, RefusedEntry } from '../restore/entry-check';
import { checkManifest } from '../restore/manifest-check';
import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/** One volume stream to check, and what it is checked against. */
export interface StreamCheck {
  source: Readable;
  volumeName: string;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
  maxTarBytes: number;
  /** Called with each chunk of `source` once it was checked through (its memory may be reused). */
  onConsumed?: (chunk: Buffer) => void;
}

/**
 * Checks one volume's zstd tar (read from `source` as the import writes the same bytes to its
 * temporary area, so the stream is read once) exactly as a restore will: the manifest against the
 * restore's manifest rules, then every entry of the archive, in order, with restore's EntryChecker
 * (root `.` first and a directory, every parent a directory staged before, no absolute paths, no
 * `..`, no hardlink outside the volume, no duplicates, nothing the manifest does not list, sizes and
 * owners as listed, special files only if allowed), and every file's bytes against its sha256. The
 * decompressed bytes are bounded by `maxTarBytes`: more is a decompression bomb. Throws the first
 * problem: a RefusedEntry, a Bomb, or the error of a stream that cannot be read (`refusalOf` words
 * it for the user). Runs in the import's check worker (check-worker.ts), so it loads no more than it needs.
 */
export async function checkStreamEntries(options: StreamCheck): Promise<void> {
  checkManifest(options.manifest, options.specialFiles);
  await checkEntries(options);
}

async function checkEntries(options: StreamCheck): Promise<void> {
  const checker = new EntryChecker({
    rootName: options.volumeName,
    manifest: new Map(options.manifest.map((e) => [e.path, e])),
    // Never written to: the checker only rewrites paths, which nothing here uses.
    stageDir: '.volsnap-import-check',
    specialFiles: options.specialFiles,
  });
  let failure: unknown = null;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (failure !== null) return entry.resume();
      try {
        const checked = checker.check(entry);
        if (checked.manifest.type === 'file') hashFile(entry, checked.manifest, (error) => (failure ??= error));
        else entry.resume();
      } catch (error) {
        failure ??= error;
        entry.resume();
      }
    },
  });
  parser.on('warn', (_code: string, message: string | Error) => {
    failure ??= message instanceof Error ? message : new Error(message);
  });
  const sink = new ZstdTarSink(parser, {
    maxBytes: options.maxTarBytes,
    tooLarge: () => new Bomb(),
    onConsumed: options.onConsumed,
  });
  await pipeline(options.source, sink);
  if (failure !== null) throw failure instanceof Error ? failure : new Error('the archive could not be read');
  checker.finish();
}

function hashFile(entry: ReadEntry, listed: ManifestEntry, fail: (error: unknown) => void): void {
  const hash = createHash('sha256');
  entry.on('data', (chunk: Buffer) => hash.update(chunk));
  entry.on('end', () => {
    if (hash.digest('hex') !== listed.sha256)
      fail(new RefusedEntry(`${listed.path} does not match its sha256 in the manifest`));
  });
}
