import type { Writable } from 'node:stream';
import { Header } from 'tar';
import type { BundleDoc } from '../bundle/bundle-doc';
import { entryHeader, padding, waitDrain } from '../bundle/bundle-writer';
import type { SizedStream, StreamFilesWorker } from '../bundle/stream-files';

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

/**
 * The layer tar's size in bytes, for progress totals. `doc` may still hold UNMEASURED sha256s:
 * the document's length does not change when they are filled in.
 */
export function layerBytes(doc: BundleDoc, streams: SizedStream[]): number {
  const json = Buffer.byteLength(JSON.stringify(doc));
  const file = (size: number) => 1024 + size + padding(size).length; // header (+ room for a PAX record) and padding
  return 2 * 512 + file(json) + streams.reduce((sum, s) => sum + file(s.sizeBytes), 0) + TRAILER.length;
}

/**
 * Writes the layer tar to `sink` with backpressure: the volume streams first, each hashed (and
 * checked) while it is copied, then snapshot.json with the sha256s measured on the way, so the
 * volumes are read once. A damaged archive or chunk fails the push instead of reaching a registry.
 * The order inside a layer does not matter to a pull: the Engine's archive endpoint lists a
 * folder in name order, so snapshot.json still comes before volumes/. The streams are read,
 * checked and hashed in a worker thread (stream-files-worker.ts), so that work overlaps with
 * this thread's writes to the Engine.
 */
export async function writeImageLayer(options: {
  /** Started with the snapshot's volumes, in the order of `streams`. */
  files: StreamFilesWorker;
  /** The document, its stream sha256s filled in here, in the order of `streams`. */
  doc: BundleDoc;
  streams: SizedStream[];
  sink: Writable;
  onBytes: (bytes: number) => void;
}): Promise<void> {
  const { doc, streams, sink } = options;
  const mtime = new Date(doc.snapshot.createdAt);
  let written = 0;
  const count = (bytes: number) => options.onBytes((written += bytes));
  const write = async (data: Buffer) => {
    count(data.length);
    if (!sink.write(data)) await waitDrain(sink);
  };
  await write(dirHeader(`${IMAGE_DIR}/`, mtime));
  await write(dirHeader(`${IMAGE_DIR}/volumes/`, mtime));
  const sha256s = await options.files.write(
    {
      mtime: mtime.toISOString(),
      streams: streams.map((s) => ({ path: layerPathOf(s.entry), sizeBytes: s.sizeBytes, sha256: s.sha256 })),
      outcome: 'pushed',
      // The layer goes to the Engine as it is made: every chunk is checked before it goes out.
      checkLater: false,
    },
    sink,
    { count },
  );
  sha256s.forEach((sha256, i) => (doc.volumes[i]!.stream.sha256 = sha256));
  const json = Buffer.from(JSON.stringify(doc));
  await write(entryHeader(IMAGE_JSON, json.length, mtime));
  await write(json);
  await write(padding(json.length));
  await write(TRAILER);
  sink.end();
}

function dirHeader(path: string, mtime: Date): Buffer {
  const header = new Header({ path, mode: 0o755, uid: 0, gid: 0, size: 0, mtime, type: 'Directory' });
  header.encode();
  return header.block!;
}
