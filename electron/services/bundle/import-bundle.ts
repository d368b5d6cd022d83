import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { BUNDLE_JSON, LIMITS, refused } from './bundle-format';
import { parserSink } from '../stored-volumes/tar-walk';
import { VolumeSetImport, type ImportDeps, type ImportOptions } from './volume-set-import';
import { VolsnapError } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/types';

/**
 * Imports a `.volsnap` bundle read once from `source` (a file or standard input: nothing seeks).
 * The first entry must be volsnap.json, checked before any stream is read; every later entry must
 * be a stream it lists. Every byte read is bounded: the JSON by LIMITS.jsonBytes, each stream by
 * its declared size, the whole input by their sum. Nothing is stored unless all of it checks out.
 */
export async function importBundle(
  deps: ImportDeps,
  source: Readable,
  options: ImportOptions & { fileName: string },
): Promise<Snapshot> {
  const fileHash = createHash('sha256');
  let limit = LIMITS.jsonBytes + 64 * 1024;
  let seen = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) return callback(refused('it is longer than its volsnap.json declares'));
      fileHash.update(chunk);
      callback(null, chunk);
    },
  });
  let opened: Opened | null = null;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    // Stop reading: the rest of a refused file is not worth a byte. (With an error: a bare
    // destroy() of a stream in the middle of a pipeline can leave the pipeline waiting.)
    tap.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  let index = 0;
  let last: { entry: ReadEntry; body: PassThrough } | null = null;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      entry.pause();
      const position = index++;
      const body = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
      last = { entry, body };
      chain = chain.then(async () => {
        if (failure !== null) return void entry.resume();
        try {
          if (entry.type !== 'File' && entry.type !== 'OldFile')
            throw refused(`its entry ${JSON.stringify(entry.path)} is a ${entry.type}, not a file`);
          entry.pipe(body);
          if (position === 0) {
            opened = await openFromJson(deps, entry, body, options);
            // Now the whole input is known: the JSON, each stream with its header and padding, the trailer.
            limit = seen + opened.expectedBytes() + 64 * 1024;
          } else if (opened === null) {
            throw refused(`its first entry is not ${BUNDLE_JSON}`);
          } else {
            await opened.set.receive(entry.path, body);
          }
        } catch (error) {
          fail(error);
          body.resume();
          entry.resume();
        }
      });
    },
  });
  parser.on('warn', (_code: string, message: string | Error) =>
    fail(refused(`it is not a readable tar (${message instanceof Error ? message.message : message})`)),
  );
  try {
    await pipeline(source, tap, parserSink(parser));
  } catch (error) {
    failure ??= error;
  }
  // The input ended (or failed) while an entry's body was still expected: a truncated file.
  const open = last as { entry: ReadEntry; body: PassThrough } | null;
  if (open !== null && !open.entry.emittedEnd) {
    const truncated = refused('it ends in the middle of an entry (truncated)');
    failure ??= truncated;
    // A body nobody reads any more (its import already failed) has no error listener of its own.
    open.body.on('error', () => undefined);
    open.body.destroy(truncated);
  }
  await chain;
  const set = (opened as Opened | null)?.set ?? null;
  try {
    if (failure !== null) throw readable(failure);
    if (set === null) throw refused(`it is empty: there is no ${BUNDLE_JSON}`);
    const doc = set.document();
    return await set.commit({
      source: 'bundle',
      fileSha256: fileHash.digest('hex'),
      fileName: options.fileName,
      originalSnapshotId: doc.snapshot.id,
      originEngine: { id: doc.snapshot.engineId, name: doc.snapshot.engineName },
    });
  } catch (error) {
    await set?.abort();
    throw error;
  }
}

/** Errors of the tar parser or the streams, in the import's words. */
function readable(error: unknown): unknown {
  if (error instanceof VolsnapError) return error;
  const message = (error as Error).message ?? String(error);
  if (/TAR_BAD_ARCHIVE|Truncated/i.test(message)) return refused(`it is truncated or not a tar (${message})`);
  return refused(`it cannot be read (${message})`);
}

interface Opened {
  set: VolumeSetImport;
  expectedBytes(): number;
}

async function openFromJson(
  deps: ImportDeps,
  entry: ReadEntry,
  body: Readable,
  options: ImportOptions,
): Promise<Opened> {
  if (entry.path !== BUNDLE_JSON)
    throw refused(
      `its first entry is ${JSON.stringify(entry.path)}, not ${BUNDLE_JSON}, so it is not a Volsnap bundle (to import another tool's volume archive, name the volume with --volume)`,
    );
  if (entry.size > LIMITS.jsonBytes) throw refused(`its ${BUNDLE_JSON} is larger than ${LIMITS.jsonBytes} bytes`);
  const set = await VolumeSetImport.openFromDocument(deps, body, options);
  return {
    set,
    expectedBytes: () =>
      set.document().volumes.reduce((sum, v) => sum + 1536 + Math.ceil(v.stream.sizeBytes / 512) * 512, 0),
  };
}
