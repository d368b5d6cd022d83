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
port.on('message', (message: ToArchiveWorker) => {
  if (message.type === 'chunk') source.push(Buffer.from(message.data, 0, message.length));
  else source.push(null);
});

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
    ? writeChunked({ source: named, rootName, tempPath, dataDir, onProgress, previous })
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
