import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import {
  Bomb,
  type CheckJob,
  type FailedCheck,
  type FromCheckWorker,
  type StreamFigures,
  type ToCheckWorker,
} from './check-worker-protocol';
import { refusalOf } from './stream-check';
import { RefusedEntry } from '../restore/entry-check';
import { BatchPool } from '../batch-pool';
import { bundledWorkerPath } from '../worker-path';
import { VolsnapError } from '../../../shared/errors';

/**
 * Compressed bytes sent to the worker and not yet taken in by its check: hold back above HIGH. Room
 * for a fraction of a second of stream, so this thread reads on while the worker checks the manifest
 * before the first entry, or works through a run of small files. 32/8 MiB was no faster and held
 * 20 MB more at the peak (docs/performance.md, session 15).
 */
const HIGH_WATER = 16 * 1024 * 1024;
const LOW_WATER = 4 * 1024 * 1024;
/** The stream's pieces are gathered into buffers of this size, transferred (not cloned) to the worker. */
const BATCH = 4 * 1024 * 1024;

/**
 * How a stream's check ended: the stream's own figures (its length and sha256, as the worker read
 * it) and the refusal, worded as the user reads it, or the write's own error; `error` null when the
 * file is written and closed and every entry checked out. No figures when the worker did not see
 * the stream to its end (it stopped, or the stream was not read to its end).
 */
export type CheckVerdict = { stream: StreamFigures; error: Error | null } | { stream: null; error: Error };

/**
 * A volume stream's file and entry check, both in a worker thread, fed from the bytes written to
 * `sink`: the worker hashes them, writes them to the job's file and checks every entry.
 */
export interface CheckThread {
  /** Sends every chunk to the worker (once the worker is gone, takes the rest in and drops it). */
  sink: Writable;
  /** Settles once the worker is gone. */
  verdict: Promise<CheckVerdict>;
  /** Ends the check (the stream was not read to its end). */
  stop(): void;
}

/**
 * Hashes each volume stream, writes it to its file and runs the import's entry checks
 * (`checkStreamEntries`: decompress, parse, check and hash every entry) in worker threads, so they
 * overlap with the reading of the same stream on this thread instead of taking turns with it. A
 * worker is started ahead (`prepare`), so it boots while the import does other work; `close` ends
 * one that was not used.
 */
export class CheckThreads {
  private spare: Worker | null = null;

  private spareExited = false;

  prepare(): void {
    if (this.spare) return;
    const worker = new Worker(bundledWorkerPath('import-check-worker.cjs'));
    this.spare = worker;
    this.spareExited = false;
    // An idle worker must not keep the process alive. One that died before its stream came is
    // replaced by `check`, whose own worker's failure is then reported as the check's.
    worker.unref();
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      if (this.spare === worker) this.spareExited = true;
    });
  }

  /** Writes and checks one volume stream; `more` starts the next volume's worker at once. */
  check(job: CheckJob, more: boolean): CheckThread {
    if (this.spareExited) this.spare = null;
    this.prepare();
    const worker = this.spare!;
    this.spare = null;
    if (more) this.prepare();
    worker.ref();
    worker.postMessage({ type: 'job', job } satisfies ToCheckWorker);
    return feed(worker, job.volumeName);
  }

  close(): void {
    void this.spare?.terminate();
    this.spare = null;
  }
}

function feed(worker: Worker, volumeName: string): CheckThread {
  let inFlight = 0;
  let held: (() => void) | null = null;
  let settled = false;
  const batches = new BatchPool(BATCH);
  let batch = batches.take();
  let used = 0;
  const release = () => {
    const go = held;
    held = null;
    go?.();
  };
  const flush = () => {
    if (used === 0 || settled) return;
    worker.postMessage({ type: 'chunk', data: batch.buffer, length: used } satisfies ToCheckWorker, [batch.buffer]);
    inFlight += used;
    batch = batches.take();
    used = 0;
  };

  let stopCheck: () => void = () => undefined;
  const verdict = new Promise<CheckVerdict>((resolve) => {
    const finish = (outcome: CheckVerdict) => {
      if (settled) return;
      settled = true;
      release();
      // Once the worker is gone, nothing writes into the import's temporary area, which may be removed next.
      void worker.terminate().then(() => resolve(outcome));
    };
    worker.on('message', (message: FromCheckWorker) => {
      switch (message.type) {
        case 'read':
          inFlight -= message.bytes;
          if (message.data) batches.give(message.data);
          if (inFlight < LOW_WATER) release();
          break;
        case 'verdict':
          finish({ stream: message.stream, error: message.failure && verdictOf(volumeName, message.failure) });
          break;
      }
    });
    const gone = (error: Error) => finish({ stream: null, error });
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the import's check worker stopped unexpectedly (exit ${code})`)));
    stopCheck = () => gone(new Error('the stream was not read to its end'));
  });

  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (settled) return callback();
      for (let offset = 0; offset < chunk.length;) {
        const n = chunk.copy(batch, used, offset);
        used += n;
        offset += n;
        if (used === BATCH) flush();
      }
      if (inFlight <= HIGH_WATER) return callback();
      // Hand over the partial batch too, so the worker can take in all that is in flight.
      flush();
      held = () => callback();
    },
    final(callback) {
      flush();
      if (!settled) worker.postMessage({ type: 'end' } satisfies ToCheckWorker);
      callback();
    },
  });
  return { sink, verdict, stop: () => stopCheck() };
}

/**
 * The worker's failure as the user reads it: a refusal of the stream, or the write's own error (a
 * full disk is not the stream's fault).
 */
function verdictOf(volumeName: string, { failure, message, code }: FailedCheck): Error {
  switch (failure) {
    case 'write':
      return Object.assign(new Error(message), { code });
    case 'entry':
      return refusalOf(volumeName, new RefusedEntry(message));
    case 'bomb':
      return refusalOf(volumeName, new Bomb());
    case 'unreadable':
      return refusalOf(
        volumeName,
        /^Refused to import/.test(message) ? new VolsnapError('Integrity', message) : new Error(message),
      );
  }
}
