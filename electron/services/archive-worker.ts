import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { writeArchive } from './archive-pipeline';
import {
  ENTRY_BATCH,
  type ArchiveWorkerData,
  type FromArchiveWorker,
  type ToArchiveWorker,
} from './archive-worker-protocol';

// Worker-thread entry (bundled to dist/archive-worker.cjs): hashing and compressing a volume takes
// seconds of CPU, which must not stall the app's main process (IPC, tray, progress events).

const port = parentPort!;
const { rootName, tempPath } = workerData as ArchiveWorkerData;
const send = (message: FromArchiveWorker) => port.postMessage(message);
const source = new Readable({ read: () => undefined });
port.on('message', (message: ToArchiveWorker) => {
  if (message.type === 'chunk') source.push(Buffer.from(message.data, 0, message.length));
  else source.push(null);
});

let lastReport = 0;
writeArchive({
  source,
  rootName,
  tempPath,
  // Progress doubles as flow control: the main thread counts what was consumed.
  onProgress: ({ tarBytes, files }) => {
    if (tarBytes - lastReport < 256 * 1024) return;
    lastReport = tarBytes;
    send({ type: 'progress', tarBytes, files });
  },
}).then(
  ({ manifest, storedBytes, sha256 }) => {
    for (let i = 0; i < manifest.entries.length; i += ENTRY_BATCH) {
      send({ type: 'entries', entries: manifest.entries.slice(i, i + ENTRY_BATCH) });
    }
    const { contentBytes, fileCount, tarBytes } = manifest;
    send({ type: 'done', contentBytes, fileCount, tarBytes, storedBytes, sha256 });
  },
  (error: NodeJS.ErrnoException) => send({ type: 'error', message: error.message, code: error.code }),
);
