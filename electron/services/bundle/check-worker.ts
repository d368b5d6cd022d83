import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { Bomb, type CheckJob, type FromCheckWorker, type ToCheckWorker } from './check-worker-protocol';
import { checkStreamEntries } from './entries-check';
import { RefusedEntry } from '../restore/entry-check';

// Worker-thread entry (bundled to dist/import-check-worker.cjs): decompressing, parsing and hashing a
// received stream takes as much CPU as reading, hashing and writing it; here the two run on two cores.

const port = parentPort!;
const send = (message: FromCheckWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const source = new Readable({ read: () => undefined });
port.on('message', (message: ToCheckWorker) => {
  switch (message.type) {
    case 'job':
      return check(message.job);
    case 'chunk':
      return void source.push(Buffer.from(message.data, 0, message.length));
    case 'end':
      return void source.push(null);
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
    () => send({ type: 'done' }),
    (error: Error) =>
      send({
        type: 'failed',
        failure: error instanceof RefusedEntry ? 'entry' : error instanceof Bomb ? 'bomb' : 'unreadable',
        message: error.message,
      }),
  );
}
