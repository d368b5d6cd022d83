import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { writeArchive, type ArchivedVolume } from './archive-pipeline';
import { writeChunked } from './chunked/chunked-capture';
import { volumeTarNames } from './volume-tar-names';
import {
  ENTRY_BATCH,
  REPORT_EVERY,
  type ArchiveWorkerData,
  type FromArchiveWorker,
  type ToArchiveWorker,
} from './archive-worker-protocol';

// Worker-thread entry (bundled to dist/archive-worker.cjs): hashing and compressing a volume takes
// seconds of CPU, which must not stall the app's main process (IPC, tray, progress events).

const port = parentPort!;
const { rootName, tempPath, format, dataDir, previous } = workerData as ArchiveWorkerData;
const send = (message: FromArchiveWorker) => port.postMessage(message);
const source = new Readable({ read: () => undefined });
// The batches as pushed. One that reaches the capture as the same object (Docker's names go
// through untouched; a stream that buffered two batches joins them into a copy) is handed back
// once spent: a re-capture allocates almost nothing on this thread's heap, so transferred
// batches waited for V8's external-memory trigger, 60 MB of them (peak RSS 245-279 MB).
const batches = new WeakSet<Uint8Array>();
port.on('message', (message: ToArchiveWorker) => {
  if (message.type === 'end') return source.push(null);
  const batch = Buffer.from(message.data, 0, message.length);
  batches.add(batch);
  source.push(batch);
});
const handBack = (piece: Uint8Array) => {
  if (!batches.delete(piece)) return;
  const data = piece.buffer as ArrayBuffer;
  port.postMessage({ type: 'batch', data } satisfies FromArchiveWorker, [data]);
};

let lastReport = 0;
// Progress doubles as flow control: the main thread counts what was consumed. Every 256 KiB was
// 2,800 messages for a 700 MB volume, 0.14 s of this thread and more of the main thread's.
const onProgress = ({ tarBytes, files }: { tarBytes: number; files: number }) => {
  if (tarBytes - lastReport < REPORT_EVERY) return;
  lastReport = tarBytes;
  send({ type: 'progress', tarBytes, files });
};
// Podman names a mount point's entries `/`, `/a.txt`: renamed to Docker's `<volume>/…` before anything reads them.
const named = source.pipe(volumeTarNames(rootName));
const written: Promise<ArchivedVolume & { chunks?: Buffer }> =
  format === 2
    ? writeChunked({ source: named, rootName, tempPath, dataDir, onProgress, previous, onSpent: handBack })
    : writeArchive({ source: named, rootName, tempPath, onProgress });
written.then(
  ({ manifest, storedBytes, addedBytes, sha256, chunks }) => {
    for (let i = 0; i < manifest.entries.length; i += ENTRY_BATCH) {
      send({ type: 'entries', entries: manifest.entries.slice(i, i + ENTRY_BATCH) });
    }
    const { contentBytes, fileCount, tarBytes } = manifest;
    // A fresh copy, transferred: the hashes may sit in a pooled buffer shared with other data.
    const list = chunks && new Uint8Array(chunks).buffer;
    port.postMessage(
      {
        type: 'done',
        contentBytes,
        fileCount,
        tarBytes,
        storedBytes,
        addedBytes,
        sha256,
        chunks: list,
      } satisfies FromArchiveWorker,
      list ? [list] : [],
    );
  },
  (error: NodeJS.ErrnoException) => send({ type: 'error', message: error.message, code: error.code }),
);
