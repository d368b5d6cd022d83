import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header, Parser, Pax, type ReadEntry } from 'tar';
import { EntryChecker, RefusedEntry, type CheckedEntry } from './entry-check';
import { parserSink } from '../stored-volumes/tar-walk';
import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

const BLOCK = 512;
/** Tar pads with zeros; one shared, never-mutated buffer serves every pad and the trailer. */
const ZEROS = Buffer.alloc(2 * BLOCK);

/** Where the re-packed tar goes; `send` returning false means call `onDrain` before sending more. */
export interface TarSink {
  send(chunk: Buffer): boolean;
  onDrain(resume: () => void): void;
}

/**
 * Reads a volume's stored tar, checks every entry before a byte of it goes out (EntryChecker),
 * hashes each file against the manifest and re-packs it as uncompressed tar under `stageDir`.
 * Ends with the tar trailer only when everything checked; rejects on the first refused entry.
 */
export async function repackArchive(options: {
  /** The volume's tar as captured (StoredVolumeReader.tar). */
  tar: Readable;
  rootName: string;
  stageDir: string;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
  sink: TarSink;
  onEntry: () => void;
}): Promise<void> {
  const checker = new EntryChecker({
    rootName: options.rootName,
    manifest: new Map(options.manifest.map((e) => [e.path, e])),
    stageDir: options.stageDir,
    specialFiles: options.specialFiles,
  });
  const source = options.tar;
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    source.destroy();
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (failure !== null) return entry.resume();
      try {
        forward(entry, checker.check(entry), { sink: options.sink, fail, onEnd: options.onEntry });
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
    await pipeline(source, parserSink(parser));
    checker.finish();
  } catch (error) {
    fail(error);
  }
  if (failure !== null) throw failure instanceof Error ? failure : new Error('the archive could not be read');
  options.sink.send(ZEROS);
}

/** Sends one checked entry: its header(s), then its data while hashing it, then the padding. */
function forward(
  entry: ReadEntry,
  checked: CheckedEntry,
  io: { sink: TarSink; fail: (error: unknown) => void; onEnd: () => void },
): void {
  const isFile = checked.manifest.type === 'file';
  io.sink.send(encodeHeader(entry, checked, isFile ? entry.size : 0));
  if (!isFile) {
    entry.on('end', io.onEnd);
    entry.resume();
    return;
  }
  const hash = createHash('sha256');
  entry.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    if (!io.sink.send(chunk)) {
      entry.pause();
      io.sink.onDrain(() => entry.resume());
    }
  });
  entry.on('end', () => {
    if (hash.digest('hex') !== checked.manifest.sha256) {
      io.fail(new RefusedEntry(`${checked.manifest.path} does not match its sha256 in the manifest`));
      return;
    }
    const pad = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    if (pad > 0) io.sink.send(ZEROS.subarray(0, pad));
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
