import { parentPort, workerData } from 'node:worker_threads';
import { RefusedEntry } from './entry-check';
import { repackArchive, type TarSink } from './stage-pipeline';
import type { FromStageWorker, StageWorkerData, ToStageWorker } from './stage-worker-protocol';
import { readerForDataDir } from '../stored-volumes/stored-volume-reader';

// Worker-thread entry (bundled to dist/restore-stage-worker.cjs): decompressing, parsing and hashing
// a volume takes seconds of CPU. Here it overlaps with the main thread's socket writes to the Engine
// instead of alternating with them, and the app's main process stays responsive.

const OUT_BUFFER = 1024 * 1024;
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 2 * 1024 * 1024;

const port = parentPort!;
const send = (message: FromStageWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/**
 * Copies the tar's pieces (512-byte headers, pads, 128 KiB data chunks) into 1 MiB buffers that are
 * transferred, not cloned, to the main thread: one message and one socket write per MiB.
 */
class Packer implements TarSink {
  private buffer = Buffer.allocUnsafeSlow(OUT_BUFFER);
  private used = 0;
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  send(chunk: Buffer): boolean {
    for (let offset = 0; offset < chunk.length;) {
      const n = chunk.copy(this.buffer, this.used, offset);
      this.used += n;
      offset += n;
      if (this.used === OUT_BUFFER) this.flush();
    }
    return this.inFlight < HIGH_WATER;
  }

  onDrain(resume: () => void): void {
    if (this.inFlight < LOW_WATER) resume();
    else this.waiting.push(resume);
  }

  flush(): void {
    if (this.used === 0) return;
    const data = this.buffer.buffer;
    send({ type: 'data', data, length: this.used }, [data]);
    this.inFlight += this.used;
    this.buffer = Buffer.allocUnsafeSlow(OUT_BUFFER);
    this.used = 0;
  }

  acked(bytes: number): void {
    this.inFlight -= bytes;
    if (this.inFlight >= LOW_WATER) return;
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((resume) => resume());
  }
}

const packer = new Packer();
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
