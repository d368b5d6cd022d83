import { createHash } from 'node:crypto';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { DecompressStream } from 'zstd-napi';
import { refused } from './bundle-format';
import { EntryChecker, RefusedEntry } from '../restore/entry-check';
import { checkManifest } from '../restore/manifest-check';
import { parserSink } from '../stored-volumes/tar-walk';
import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/**
 * Checks one volume's zstd tar (the bytes stored in the import's temporary area, read from
 * `source` as they are written there, so the stream is read once) exactly as a restore will:
 * the manifest against the restore's manifest rules, then every entry of the archive, in order,
 * with restore's EntryChecker (root `.` first and a directory, every parent a directory staged
 * before, no absolute paths, no `..`, no hardlink outside the volume, no duplicates, nothing the
 * manifest does not list, sizes and owners as listed, special files only if allowed), and every
 * file's bytes against its sha256. The decompressed bytes are bounded by `maxTarBytes`: more is a
 * decompression bomb. Throws an `Integrity` error naming the volume and the first problem.
 */
export async function checkVolumeStream(options: {
  source: Readable;
  volumeName: string;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
  maxTarBytes: number;
}): Promise<void> {
  const { volumeName } = options;
  try {
    checkManifest(options.manifest, options.specialFiles);
    await checkEntries(options);
  } catch (error) {
    if (error instanceof RefusedEntry) throw refused(`in volume ${volumeName}, ${error.message}`);
    if (error instanceof Bomb) throw refused(`volume ${volumeName} expands beyond what its manifest declares`);
    const message = (error as Error).message;
    if (/^Refused to import/.test(message)) throw error;
    throw refused(`volume ${volumeName}'s stream cannot be read (${message})`);
  }
}

class Bomb extends Error {}

async function checkEntries(options: Parameters<typeof checkVolumeStream>[0]): Promise<void> {
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
  await pipeline(options.source, new DecompressStream(), bounded(options.maxTarBytes), parserSink(parser));
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

/** Passes bytes on until `limit`, then fails: a tiny stream must not expand without end. */
export function bounded(limit: number, onBomb: () => Error = () => new Bomb()): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(onBomb());
      else callback(null, chunk);
    },
  });
}

/**
 * Passes every chunk on unchanged and also writes it to `sink`, with the sink's backpressure, until
 * the sink is destroyed (its reader failed: the rest still flows on); ends the sink at the end.
 */
export function copyTo(sink: Writable): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (sink.destroyed || sink.write(chunk)) return callback(null, chunk);
      const go = () => {
        sink.off('drain', go);
        sink.off('close', go);
        callback(null, chunk);
      };
      sink.on('drain', go);
      sink.on('close', go);
    },
    flush(callback) {
      if (!sink.destroyed) sink.end();
      callback();
    },
  });
}
