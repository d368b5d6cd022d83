import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { Header } from 'tar';
import type { FromLayerWorker, LayerWorkerData, ToLayerWorker } from './layer-worker-protocol';
import type { BundleDoc } from '../bundle/bundle-format';
import { entryHeader, padding, waitDrain } from '../bundle/bundle-writer';
import { bundledWorkerPath } from '../worker-path';
import type { StoredVolume } from '../../store/catalog';
import { VolsnapError } from '../../../shared/errors';

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
 * One volume stream of the layer: the stored volume it is read from, its size known up front, its
 * sha256 maybe not (`SizedTar`).
 */
export interface LayerStream {
  entry: string;
  volume: StoredVolume;
  sizeBytes: number;
  sha256: string | null;
}

/** The sha256 a stream has until the layer's copy of it measures it: as long as a real one. */
export const UNMEASURED = '0'.repeat(64);

/**
 * The layer tar's size in bytes, for progress totals. `doc` may still hold UNMEASURED sha256s:
 * the document's length does not change when they are filled in.
 */
export function layerBytes(doc: BundleDoc, streams: LayerStream[]): number {
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
 * checked and hashed in a worker thread (layer-worker.ts), so that work overlaps with this
 * thread's writes to the Engine.
 */
export async function writeImageLayer(options: {
  source: { dataDir: string; snapshotId: string };
  /** The document, its stream sha256s filled in here, in the order of `streams`. */
  doc: BundleDoc;
  streams: LayerStream[];
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
  const sha256s = await writeVolumeFiles(
    {
      ...options.source,
      mtime: mtime.toISOString(),
      streams: streams.map((s) => ({
        path: layerPathOf(s.entry),
        volume: s.volume,
        sizeBytes: s.sizeBytes,
        sha256: s.sha256,
      })),
    },
    sink,
    count,
  );
  sha256s.forEach((sha256, i) => (doc.volumes[i]!.stream.sha256 = sha256));
  const json = Buffer.from(JSON.stringify(doc));
  await write(entryHeader(IMAGE_JSON, json.length, mtime));
  await write(json);
  await write(padding(json.length));
  await write(TRAILER);
  sink.end();
}

/**
 * The layer files of the volume streams, made by the layer worker and written to `sink` as they
 * come; each buffer is acknowledged once `sink` took it (the worker's flow control). Resolves
 * with the streams' sha256s, in order.
 */
async function writeVolumeFiles(
  data: LayerWorkerData,
  sink: Writable,
  count: (bytes: number) => void,
): Promise<string[]> {
  const worker = new Worker(bundledWorkerPath('layer-worker.cjs'), { workerData: data });
  try {
    return await new Promise<string[]>((resolve, reject) => {
      worker.on('message', (message: FromLayerWorker) => {
        switch (message.type) {
          case 'data':
            count(message.length);
            sink.write(Buffer.from(message.data, 0, message.length), (error) => {
              if (error) reject(error);
              else worker.postMessage({ type: 'ack', bytes: message.length } satisfies ToLayerWorker);
            });
            break;
          case 'done':
            resolve(message.sha256s);
            break;
          case 'error':
            reject(message.kind ? new VolsnapError(message.kind, message.message) : new Error(message.message));
            break;
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the layer worker stopped unexpectedly (exit ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}

function dirHeader(path: string, mtime: Date): Buffer {
  const header = new Header({ path, mode: 0o755, uid: 0, gid: 0, size: 0, mtime, type: 'Directory' });
  header.encode();
  return header.block!;
}
