import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { IMAGE_DIR, IMAGE_JSON, streamEntryOf } from './image-layer';
import { LIMITS, refused } from '../bundle/bundle-format';
import { parserSink } from '../stored-volumes/tar-walk';
import { VolumeSetImport, type ImportDeps, type ImportOptions } from '../bundle/volume-set-import';

/** The only directories a snapshot image's `/volsnap` may hold. */
const DIRECTORIES = new Set([`${IMAGE_DIR}/`, `${IMAGE_DIR}/volumes/`]);

/**
 * Reads `/volsnap` of a pulled image (the Engine's archive tar of it) into a VolumeSetImport, the
 * import's own verify-and-store: `snapshot.json` must be the first file and is checked by the
 * bundle's parser before any stream is read; every later file must be a stream it lists, and each
 * goes through `receive` (bounded, hashed, every entry checked against the manifest and the
 * restore rules). Anything else in the folder (another file, a link, a device) is refused. On any
 * failure the import is aborted, so nothing is left behind; the caller commits on success.
 */
export async function readSnapshotImage(
  deps: ImportDeps,
  source: Readable,
  options: ImportOptions & { onBytes(bytes: number, total: number | null): void },
): Promise<VolumeSetImport> {
  let set: VolumeSetImport | null = null;
  let total: number | null = null;
  let seen = 0;
  let failure: unknown = null;
  let chain: Promise<void> = Promise.resolve();
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      options.onBytes(seen, total);
      callback(null, chunk);
    },
  });
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      entry.pause();
      const body = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
      chain = chain.then(async () => {
        if (failure !== null) return void entry.resume();
        try {
          entry.pipe(body);
          if (DIRECTORIES.has(entry.path) && entry.type === 'Directory') return void body.resume();
          if (entry.type !== 'File' && entry.type !== 'OldFile')
            throw refused(`the image holds ${JSON.stringify(entry.path)}, a ${entry.type}, where only files belong`);
          if (set === null) {
            set = await openFromJson(deps, entry, body, options);
            total = set.document().volumes.reduce((sum, v) => sum + v.stream.sizeBytes, 0);
          } else {
            const streamEntry = streamEntryOf(entry.path);
            if (streamEntry === null)
              throw refused(`the image holds ${JSON.stringify(entry.path)} outside ${IMAGE_DIR}/`);
            await set.receive(streamEntry, body);
          }
        } catch (error) {
          failure ??= error;
          body.resume();
          entry.resume();
        }
      });
    },
  });
  parser.on('warn', (_code: string, message: string | Error) => {
    failure ??= refused(
      `its ${IMAGE_DIR}/ folder is not a readable tar (${message instanceof Error ? message.message : message})`,
    );
  });
  try {
    await pipeline(source, count, parserSink(parser));
  } catch (error) {
    failure ??= error;
  }
  await chain;
  const opened = set as VolumeSetImport | null;
  if (failure !== null || opened === null) {
    await opened?.abort();
    if (failure === null) throw refused(`the image has no ${IMAGE_JSON}`);
    throw failure instanceof Error ? failure : new Error('the image could not be read');
  }
  return opened;
}

async function openFromJson(
  deps: ImportDeps,
  entry: ReadEntry,
  body: Readable,
  options: ImportOptions,
): Promise<VolumeSetImport> {
  if (entry.path !== IMAGE_JSON)
    throw refused(`the first file in the image is ${JSON.stringify(entry.path)}, not ${IMAGE_JSON}`);
  if (entry.size > LIMITS.jsonBytes) throw refused(`its ${IMAGE_JSON} is larger than ${LIMITS.jsonBytes} bytes`);
  return VolumeSetImport.openFromDocument(deps, body, options);
}
