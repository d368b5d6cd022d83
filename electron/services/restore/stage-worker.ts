import { parentPort, workerData } from 'node:worker_threads';
import { RefusedEntry } from './entry-check';
import { repackArchive, type TarSink } from './stage-pipeline';
import type { FromStageWorker, StageWorkerData, ToStageWorker } from './stage-worker-protocol';
import { readerForDataDir } from '../stored-volumes/stored-volume-reader';
import { TransferPacker } from '../transfer-packer';

// Worker-thread entry (bundled to dist/restore-stage-worker.cjs): decompressing, parsing and hashing
// a volume takes seconds of CPU. Here it overlaps with the main thread's socket writes to the Engine
// instead of alternating with them, and the app's main process stays responsive.

const port = parentPort!;
const send = (message: FromStageWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

// The re-packed tar (512-byte headers, pads, 128 KiB data chunks) goes out 1 MiB at a time.
const packer = new TransferPacker((data, length) => send({ type: 'data', data, length }, [data]));
port.on('message', (message: ToStageWorker) => packer.acked(message.bytes));
const { source, rootName, stageDir, manifest, specialFiles, dryRun } = workerData as StageWorkerData;
const discard: TarSink = { send: () => true, onDrain: (resume) => resume() };
let files = 0;
// Inside the promise chain, so a volume the reader refuses (an unknown format) is reported as an error message.
Promise.resolve()
  .then(() =>
    repackArchive({
      tar: readerForDataDir(source.dataDir).tar(source.snapshotId, source.volume),
      rootName,
      stageDir,
      manifest,
      specialFiles,
      sink: dryRun ? discard : packer,
      onEntry: () => {
        if (++files % 256 === 0) send({ type: 'progress', files });
      },
    }),
  )
  .then(
    () => {
      packer.flush();
      send({ type: 'done', files });
    },
    (error: NodeJS.ErrnoException) =>
      send({ type: 'error', message: error.message, code: error.code, refused: error instanceof RefusedEntry }),
  );
