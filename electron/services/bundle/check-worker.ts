import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { Bomb, type CheckJob, type FromCheckWorker, type ToCheckWorker } from './check-worker-protocol';
import { checkStreamEntries } from './entries-check';
import { FlushingFile } from './flushing-file';
import { RefusedEntry } from '../restore/entry-check';

// Worker-thread entry (bundled to dist/import-check-worker.cjs): decompressing, parsing and hashing a
// received stream takes as much CPU as reading and hashing it; here the two run on two cores. The
// worker also writes the stream's file, with synchronous writes the main thread could not afford.

const port = parentPort!;
const send = (message: FromCheckWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const source = new Readable({ read: () => undefined });
let file: FlushingFile | null = null;
let markWritten: () => void = () => undefined;
const allWritten = new Promise<void>((resolve) => (markWritten = resolve));

port.on('message', (message: ToCheckWorker) => {
  try {
    switch (message.type) {
      case 'job':
        file = new FlushingFile(message.job.file);
        return check(message.job);
      case 'chunk': {
        const chunk = Buffer.from(message.data, 0, message.length);
        file!.write(chunk);
        return void source.push(chunk);
      }
      case 'end':
        source.push(null);
        return void file!.close().then(markWritten, failWrite);
    }
  } catch (error) {
    failWrite(error);
  }
});

function check(job: CheckJob): void {
  checkStreamEntries({
    ...job,
    source,
    // Checked through: the buffer goes back to be filled again (no fresh memory per chunk on either side).
    onConsumed: (chunk) => {
      const data = chunk.buffer as ArrayBuffer;
      send({ type: 'read', bytes: chunk.length, data }, [data]);
    },
  }).then(
    // Checked, and only done once the file is complete: the import commits it next.
    () => allWritten.then(() => send({ type: 'done' })),
    (error: Error) =>
      send({
        type: 'failed',
        failure: error instanceof RefusedEntry ? 'entry' : error instanceof Bomb ? 'bomb' : 'unreadable',
        message: error.message,
      }),
  );
}

/**
 * The file could not be written: the verdict, whatever the check would have said (the main thread
 * ends this worker).
 */
let writeFailed = false;
function failWrite(error: unknown): void {
  if (writeFailed) return;
  writeFailed = true;
  const { message, code } = error as NodeJS.ErrnoException;
  send({ type: 'failed', failure: 'write', message: String(message), code });
}
