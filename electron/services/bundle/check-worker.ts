import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import {
  Bomb,
  type CheckJob,
  type FailedCheck,
  type FromCheckWorker,
  type ToCheckWorker,
} from './check-worker-protocol';
import { checkStreamEntries } from './entries-check';
import { FlushingFile } from './flushing-file';
import { RefusedEntry } from '../restore/entry-check';

// Worker-thread entry (bundled to dist/import-check-worker.cjs): decompressing, parsing and hashing a
// received stream takes as much CPU as reading it; here the two run on two cores. The worker also
// writes the stream's file, with synchronous writes the main thread could not afford, and hashes the
// stream itself: on the main thread that hash held up its reading of the Engine's socket during a
// pull, and dockerd, whose socket buffer was full, waited (docs/performance.md, session 15).

const port = parentPort!;
const send = (message: FromCheckWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const source = new Readable({ read: () => undefined });
const stream = { hash: createHash('sha256'), bytes: 0 };
let file: FlushingFile | null = null;
let checked: Promise<void> = Promise.resolve();
let failure: FailedCheck | null = null;
/** Bytes handed to the check that it has not given back yet. */
let unconsumed = 0;

port.on('message', (message: ToCheckWorker) => {
  switch (message.type) {
    case 'job':
      return start(message.job);
    case 'chunk':
      return take(Buffer.from(message.data, 0, message.length));
    case 'end':
      return void finish();
  }
});

function start(job: CheckJob): void {
  try {
    file = new FlushingFile(job.file);
  } catch (error) {
    return fail(writeFailure(error));
  }
  checked = checkStreamEntries({
    ...job,
    source,
    // Checked through: the buffer goes back to be filled again (no fresh memory per chunk on either side).
    onConsumed: (chunk) => {
      if (failure !== null) return;
      unconsumed -= chunk.length;
      const data = chunk.buffer as ArrayBuffer;
      send({ type: 'read', bytes: chunk.length, data }, [data]);
    },
  }).catch((error: unknown) => fail(checkFailure(error)));
}

/**
 * Every byte is hashed and counted, even after a failure, so the import judges the stream itself
 * first: an altered stream is reported as such even when its content fails the checks too.
 */
function take(chunk: Buffer): void {
  stream.hash.update(chunk);
  stream.bytes += chunk.length;
  if (failure === null) {
    try {
      file!.write(chunk);
      unconsumed += chunk.length;
      return void source.push(chunk);
    } catch (error) {
      fail(writeFailure(error));
    }
  }
  const data = chunk.buffer as ArrayBuffer;
  send({ type: 'read', bytes: chunk.length, data }, [data]);
}

/** The first failure stands; nothing more is written or checked, and what the check held is given back. */
function fail(report: FailedCheck): void {
  if (failure !== null) return;
  failure = report;
  // The check stops too (a failed write leaves it waiting for bytes that will not come).
  source.destroy();
  if (unconsumed > 0) send({ type: 'read', bytes: unconsumed });
  unconsumed = 0;
}

async function finish(): Promise<void> {
  if (failure === null) {
    source.push(null);
    await checked;
  }
  // Closed whatever the verdict (a worker's end does not close its files); the import commits it next.
  await file?.close().catch((error: unknown) => fail(writeFailure(error)));
  send({ type: 'verdict', stream: { bytes: stream.bytes, sha256: stream.hash.digest('hex') }, failure });
}

function checkFailure(error: unknown): FailedCheck {
  const failure = error instanceof RefusedEntry ? 'entry' : error instanceof Bomb ? 'bomb' : 'unreadable';
  return { failure, message: error instanceof Error ? error.message : String(error) };
}

/** The file could not be written (a full disk, say): the verdict, whatever the check would have said. */
function writeFailure(error: unknown): FailedCheck {
  const { message, code } = error as NodeJS.ErrnoException;
  return { failure: 'write', message: String(message), code };
}
