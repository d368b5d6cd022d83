import type { Writable } from 'node:stream';
import { Header } from 'tar';
import type { BundleDoc } from '../bundle/bundle-format';
import { copyVerified, entryHeader, padding, waitDrain, type BundleStream } from '../bundle/bundle-writer';

/**
 * The one layer of a snapshot image: `volsnap/snapshot.json` (the bundle's volsnap.json document)
 * and `volsnap/volumes/<n>-<volume>.tar.zst` (the bundle's streams, each the stored archive as
 * is). Volume content stays inside the zstd files, so nothing in it is read by the image format
 * (a file named `.wh.x` in a layer would otherwise delete `x`).
 */
export const IMAGE_DIR = 'volsnap';
export const IMAGE_JSON = `${IMAGE_DIR}/snapshot.json`;

/** The layer path of a bundle stream entry (`volumes/0-db.tar.zst` → `volsnap/volumes/0-db.tar.zst`). */
export function layerPathOf(streamEntry: string): string {
  return `${IMAGE_DIR}/${streamEntry}`;
}

/** The bundle stream entry of a layer path, or null when it is not under `volsnap/`. */
export function streamEntryOf(layerPath: string): string | null {
  const prefix = `${IMAGE_DIR}/`;
  return layerPath.startsWith(prefix) ? layerPath.slice(prefix.length) : null;
}

const TRAILER = Buffer.alloc(1024);

/** The layer tar's size in bytes, for progress totals. */
export function layerBytes(doc: BundleDoc, streams: BundleStream[]): number {
  const json = Buffer.byteLength(JSON.stringify(doc));
  const file = (size: number) => 1024 + size + padding(size).length; // header (+ room for a PAX record) and padding
  return 2 * 512 + file(json) + streams.reduce((sum, s) => sum + file(s.sizeBytes), 0) + TRAILER.length;
}

/**
 * Writes the layer tar to `sink` with backpressure, checking each stored archive against its
 * sha256 while copying it (a damaged archive fails the push instead of reaching a registry).
 */
export async function writeImageLayer(options: {
  doc: BundleDoc;
  streams: BundleStream[];
  sink: Writable;
  onBytes: (bytes: number) => void;
}): Promise<void> {
  const { doc, streams } = options;
  const mtime = new Date(doc.snapshot.createdAt);
  let written = 0;
  const write = async (data: Buffer) => {
    written += data.length;
    options.onBytes(written);
    if (!options.sink.write(data)) await waitDrain(options.sink);
  };
  await write(dirHeader(`${IMAGE_DIR}/`, mtime));
  await write(dirHeader(`${IMAGE_DIR}/volumes/`, mtime));
  const json = Buffer.from(JSON.stringify(doc));
  await write(entryHeader(IMAGE_JSON, json.length, mtime));
  await write(json);
  await write(padding(json.length));
  for (const stream of streams) {
    await write(entryHeader(layerPathOf(stream.entry), stream.sizeBytes, mtime));
    await copyVerified(stream, write, 'pushed');
    await write(padding(stream.sizeBytes));
  }
  await write(TRAILER);
  options.sink.end();
}

function dirHeader(path: string, mtime: Date): Buffer {
  const header = new Header({ path, mode: 0o755, uid: 0, gid: 0, size: 0, mtime, type: 'Directory' });
  header.encode();
  return header.block!;
}
