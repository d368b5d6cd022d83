import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { Header, Pax } from 'tar';
import type { BundleDoc } from './bundle-doc';
import { BUNDLE_JSON } from './bundle-format';
import { VolsnapError } from '../../../shared/errors';

const BLOCK = 512;
/** The two zero blocks that end a tar. */
export const ZEROS = Buffer.alloc(2 * BLOCK);
/** The sha256 a document holds for a stream until the stream is written: as long as a real one. */
export const UNMEASURED = '0'.repeat(64);

/** One volume stream of a bundle: its entry name, its compressed tar, and what that must hash to. */
export interface BundleStream {
  entry: string;
  open(): Readable;
  sizeBytes: number;
  sha256: string;
}

/** What was written: bytes and the sha256 of the whole bundle. */
export interface WrittenBundle {
  sizeBytes: number;
  sha256: string;
}

/**
 * Writes a bundle's parts as one tar to `sink`: `volsnap.json`, then each stream copied as is.
 * Each stream is hashed while it is copied and must match `doc` (a damaged stored archive fails
 * the export instead of producing a bundle every import refuses). Reusable by anything that ships
 * the same parts elsewhere (a registry push).
 */
export async function writeBundle(doc: BundleDoc, streams: BundleStream[], sink: Writable): Promise<WrittenBundle> {
  const out = new HashingSink(sink);
  const mtime = new Date(doc.snapshot.createdAt);
  await out.write(docEntry(doc));
  for (const stream of streams) {
    await out.write(entryHeader(stream.entry, stream.sizeBytes, mtime));
    await copyVerified(stream, (data) => out.write(data), 'exported');
    await out.write(padding(stream.sizeBytes));
  }
  await out.write(ZEROS);
  return { sizeBytes: out.bytes, sha256: out.digest() };
}

/** volsnap.json as the bundle's first entry: header, document, padding. */
export function docEntry(doc: BundleDoc): Buffer {
  const json = Buffer.from(JSON.stringify(doc));
  return Buffer.concat([
    entryHeader(BUNDLE_JSON, json.length, new Date(doc.snapshot.createdAt)),
    json,
    padding(json.length),
  ]);
}

/**
 * Writes the streams' sha256s into `entry`, the `docEntry` of `doc` made while they were
 * UNMEASURED, and into `doc`: the document is not made again (53-75 ms for the bench volume's,
 * between an export's stream and its read-back). Each goes after its own stream's entry name:
 * those keys cannot appear unescaped inside a JSON string, so no file path or hash can match.
 */
export function fillStreamSha256s(entry: Buffer, doc: BundleDoc, sha256s: string[]): void {
  doc.volumes.forEach((volume, i) => {
    const sha256 = sha256s[i]!;
    const key = Buffer.from(`"stream":{"entry":${JSON.stringify(volume.stream.entry)},"sha256":"`);
    const at = entry.indexOf(key);
    const placeholder = at === -1 ? '' : entry.toString('latin1', at + key.length, at + key.length + sha256.length);
    if (!/^[0-9a-f]{64}$/.test(sha256) || placeholder !== UNMEASURED)
      throw new VolsnapError('Internal', `The bundle document has no place for the sha256 of ${volume.stream.entry}.`);
    entry.write(sha256, at + key.length, 'latin1');
    volume.stream.sha256 = sha256;
  });
}

/** A bundle's size in bytes, for progress totals (our entry names never need a PAX record). */
export function bundleBytes(doc: BundleDoc, streams: { sizeBytes: number }[]): number {
  const json = Buffer.byteLength(JSON.stringify(doc));
  return streams.reduce((sum, s) => sum + entryBytes(s.sizeBytes), entryBytes(json)) + ZEROS.length;
}

/** A bundle entry of `size` bytes: its header, its bytes, its padding. */
export function entryBytes(size: number): number {
  return BLOCK + size + padding(size).length;
}

/**
 * Copies one stream through `write`, hashing it on the way, and returns its sha256. It must have
 * the size and the sha256 promised: a damaged stored archive fails the copy, and the caller drops
 * what went out.
 */
export async function copyVerified(
  stream: BundleStream,
  write: (data: Buffer) => Promise<void>,
  outcome: 'exported' | 'pushed',
): Promise<string> {
  const hash = createHash('sha256');
  await copySized(stream, write, outcome, (data) => hash.update(data));
  const sha256 = hash.digest('hex');
  if (sha256 !== stream.sha256) throw streamMismatch(stream.entry, outcome);
  return sha256;
}

/** Copies one stream through `write`; it must have the size promised. `seen` sees each piece before it goes. */
export async function copySized(
  stream: Pick<BundleStream, 'entry' | 'sizeBytes'> & { open(): AsyncIterable<Buffer> },
  write: (data: Buffer) => Promise<void>,
  outcome: 'exported' | 'pushed',
  seen?: (data: Buffer) => void,
): Promise<void> {
  let bytes = 0;
  // Leaving the loop early (a break, a failed write) closes the source: `for await` returns it.
  for await (const data of stream.open()) {
    bytes += data.length;
    if (bytes > stream.sizeBytes) break;
    seen?.(data);
    await write(data);
  }
  if (bytes !== stream.sizeBytes) throw streamMismatch(stream.entry, outcome);
}

/** A stored stream that is not what its size or sha256 says. */
export function streamMismatch(entry: string, outcome: 'exported' | 'pushed'): VolsnapError {
  return new VolsnapError(
    'Integrity',
    `The stored archive ${entry} no longer matches its checksum; nothing was ${outcome}. Run \`volsnap verify\` on the snapshot.`,
  );
}

/** A ustar header, with a PAX record first when the name does not fit (never for our own names today). */
export function entryHeader(path: string, size: number, mtime: Date): Buffer {
  const fields = { path, size, mtime, mode: 0o644, uid: 0, gid: 0, type: 'File' as const };
  const header = new Header(fields);
  if (!header.encode()) return header.block!;
  return Buffer.concat([new Pax(fields).encode(), header.block!]);
}

export function padding(size: number): Buffer {
  return ZEROS.subarray(0, (BLOCK - (size % BLOCK)) % BLOCK);
}

/** Writes to a stream with backpressure while counting and hashing what went out. */
class HashingSink {
  bytes = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly sink: Writable) {}

  async write(data: Buffer): Promise<void> {
    if (data.length === 0) return;
    this.hash.update(data);
    this.bytes += data.length;
    if (this.sink.destroyed || this.sink.writableEnded)
      throw new VolsnapError('Cancelled', 'The output was closed before the bundle was complete.');
    if (!this.sink.write(data)) await waitDrain(this.sink);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Resolves on the sink's next `drain`, rejects on its error. */
export function waitDrain(sink: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      sink.off('drain', onDrain);
      reject(error);
    };
    const onDrain = () => {
      sink.off('error', onError);
      resolve();
    };
    sink.once('drain', onDrain);
    sink.once('error', onError);
  });
}
