import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { Header, Parser, Pax, type ReadEntry } from 'tar';
import { DecompressStream } from 'zstd-napi';
import { EntryChecker, RefusedEntry, type CheckedEntry } from './entry-check';
import type { JournalVolume } from './journal';
import { stageDirName } from './swap';
import { engineCall } from '../../docker/engine';
import { helperMountPath } from '../../docker/helper';
import { VolsnapError } from '../../../shared/errors';
import type { ManifestEntry } from '../../../shared/types';

const BLOCK = 512;

/**
 * Stages one volume: decompresses its archive, checks every entry in this process before it is
 * sent (see EntryChecker), re-packs it under `.volsnap-stage-<job>/` as uncompressed tar and
 * uploads it through the Engine's archive endpoint into a created helper mounting the target.
 * A file whose sha256 does not match fails the stage once its data streamed; that is still before
 * any swap, and the caller rolls the stage dir back.
 */
export async function stageVolume(options: {
  helper: Docker.Container;
  archivePath: string;
  volume: JournalVolume;
  manifest: ManifestEntry[];
  jobId: string;
  signal: AbortSignal;
  onProgress: (bytes: number, files: number) => void;
}): Promise<void> {
  const { volume } = options;
  const checker = new EntryChecker(
    volume.volumeName,
    new Map(options.manifest.map((e) => [e.path, e])),
    stageDirName(options.jobId),
  );
  const out = new PassThrough({ highWaterMark: 4 << 20 });
  const source = createReadStream(options.archivePath);
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    source.destroy();
  };
  const upload = engineCall(`write into volume ${volume.target}`, () =>
    options.helper.putArchive(out, { path: helperMountPath(volume.target) }),
  );
  upload.catch(fail);
  let bytes = 0;
  let files = 0;
  const send = (chunk: Buffer): boolean => {
    bytes += chunk.length;
    return out.write(chunk);
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (failure !== null) return entry.resume();
      try {
        forward(entry, checker.check(entry), { send, out, fail, onEnd: () => options.onProgress(bytes, ++files) });
      } catch (error) {
        fail(error);
        entry.resume();
      }
    },
  });
  parser.on('warn', (_code: string, message: string | Error) =>
    fail(message instanceof Error ? message : new Error(message)),
  );
  try {
    await pipeline(source, new DecompressStream(), parserSink(parser), { signal: options.signal });
    checker.finish();
  } catch (error) {
    fail(error);
  }
  // Ending without the tar trailer makes the Engine stop reading; the caller removes the partial stage.
  out.end(failure === null ? Buffer.alloc(2 * BLOCK) : undefined);
  await upload.catch(fail);
  if (failure !== null) throw explain(failure, volume, options.signal);
}

/** Sends one checked entry: its header(s), then its data while hashing it, then the padding. */
function forward(
  entry: ReadEntry,
  checked: CheckedEntry,
  io: { send: (chunk: Buffer) => boolean; out: PassThrough; fail: (error: unknown) => void; onEnd: () => void },
): void {
  const isFile = checked.manifest.type === 'file';
  io.send(encodeHeader(entry, checked, isFile ? entry.size : 0));
  if (!isFile) {
    entry.on('end', io.onEnd);
    entry.resume();
    return;
  }
  const hash = createHash('sha256');
  entry.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    if (!io.send(chunk)) {
      entry.pause();
      io.out.once('drain', () => entry.resume());
    }
  });
  entry.on('end', () => {
    if (hash.digest('hex') !== checked.manifest.sha256) {
      io.fail(new RefusedEntry(`${checked.manifest.path} does not match its sha256 in the manifest`));
      return;
    }
    const pad = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    if (pad > 0) io.send(Buffer.alloc(pad));
    io.onEnd();
  });
}

function encodeHeader(entry: ReadEntry, checked: CheckedEntry, size: number): Buffer {
  const fields = {
    path: checked.stagePath,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    size,
    mtime: entry.mtime,
    type: entry.type,
    linkpath: checked.stageLinkpath ?? entry.linkpath,
    uname: entry.uname,
    gname: entry.gname,
    devmaj: entry.header.devmaj,
    devmin: entry.header.devmin,
  };
  const header = new Header(fields);
  if (!header.encode()) return header.block!;
  // Long names or big numbers: a PAX record carries what the ustar header cannot.
  const pax = new Pax({
    path: fields.path,
    linkpath: fields.linkpath,
    size,
    uid: fields.uid,
    gid: fields.gid,
    mtime: fields.mtime,
  });
  return Buffer.concat([pax.encode(), header.block!]);
}

/** A Writable in front of tar's Parser (a Minipass stream), so `pipeline` can drive it with backpressure. */
function parserSink(parser: Parser): Writable {
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', () => resolve());
    parser.on('error', reject);
  });
  ended.catch(() => undefined);
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (parser.write(chunk)) callback();
      else parser.once('drain', () => callback());
    },
    final(callback) {
      parser.end();
      ended.then(() => callback(), callback);
    },
  });
}

function explain(error: unknown, volume: JournalVolume, signal: AbortSignal): unknown {
  if (signal.aborted)
    return new VolsnapError('Cancelled', 'The restore was cancelled while staging; nothing was swapped.');
  if (error instanceof RefusedEntry) {
    return new VolsnapError(
      'Integrity',
      `The archive of volume ${volume.volumeName} was refused: ${error.message}. Nothing was swapped and the volume keeps its contents. The snapshot may have been tampered with; run volsnap verify on it.`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/no space left|ENOSPC|disk quota/i.test(message)) {
    return new VolsnapError(
      'Internal',
      `Volume ${volume.target} ran out of space while staging the snapshot (a restore needs room for the old and the new contents until the swap). Nothing was swapped. Free space in the volume, then restore again.`,
    );
  }
  if (error instanceof VolsnapError) return error;
  return new VolsnapError(
    'Integrity',
    `The archive of volume ${volume.volumeName} cannot be read (${message}). Nothing was swapped; run volsnap verify on the snapshot.`,
  );
}
