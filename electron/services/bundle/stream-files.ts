import { createHash, type Hash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { streamFile } from './stream-file';
import type {
  FromStreamFilesWorker,
  OpenedStream,
  StreamFilesData,
  StreamFilesSource,
  ToStreamFilesWorker,
} from './stream-files-protocol';
import { streamMismatch } from './bundle-writer';
import { locateSnapshotChunks, type ListLocations } from '../chunked/list-locations';
import { bundledWorkerPath } from '../worker-path';
import type { Catalog, StoredVolume } from '../../store/catalog';
import type { Db } from '../../store/db';
import { VolsnapError } from '../../../shared/errors';

/** One volume stream to write: its entry, the stored volume it is read from, its size known up front, its sha256 maybe not. */
export interface SizedStream {
  entry: string;
  volume: StoredVolume;
  sizeBytes: number;
  /** Format 1's recorded sha256, checked as it is copied; null for format 2, measured on the way. */
  sha256: string | null;
}

/**
 * A snapshot's volume streams as tar file entries, made by the stream-files worker. Started first
 * (`new`), the worker opens the volumes (layouts read, sizes summed: `opened`) while the caller
 * builds what goes around them (the sizes are the worker's: measuring them here too cost this
 * thread 0.5 s and 50 MiB for a 700 MB volume); `write` then has them written to a sink. Used by
 * push (the image layer) and by an export to a file. A caller that gives up before `write` calls
 * `stop`; one that left checks for later (`checkLater`) awaits `checked`, which stops it.
 */
export class StreamFilesWorker {
  private readonly worker: Worker;
  /** The volumes' streams as the worker opened them (sizes from the index, no chunk read), in order. */
  readonly opened: Promise<OpenedStream[]>;
  /** Settles when the worker is done writing, or fails (possibly before `write`, on opening). */
  private readonly ended: Promise<void>;
  /** Settles when the worker checked what it left for later (`checkLater`), or fails. */
  private readonly laterChecked: Promise<void>;
  private onData: (message: { data: ArrayBuffer; length: number }) => void = () => undefined;

  /**
   * The worker for a ready snapshot's volumes; this thread looks their chunks up meanwhile
   * (list-locations.ts), while the caller builds what goes around the streams.
   */
  static forSnapshot(deps: { dataDir: string; db: Db; catalog: Catalog }, snapshotId: string): StreamFilesWorker {
    return new StreamFilesWorker(
      { dataDir: deps.dataDir, snapshotId, volumes: deps.catalog.storedVolumes(snapshotId) },
      locateSnapshotChunks(deps.db, snapshotId),
    );
  }

  /**
   * `locations`: the snapshot's chunk locations, looked up by this thread while the worker opens
   * the volumes (list-locations.ts); without them, or if they fail, the worker looks them up.
   */
  constructor(source: Omit<StreamFilesSource, 'locationsFollow'>, locations?: Promise<ListLocations | null>) {
    const workerData: StreamFilesSource = { ...source, locationsFollow: locations !== undefined };
    this.worker = new Worker(bundledWorkerPath('stream-files-worker.cjs'), { workerData });
    const tell = (found: ListLocations | null) =>
      this.worker.postMessage({ type: 'locations', locations: found } satisfies ToStreamFilesWorker);
    locations?.then(tell, () => tell(null));
    let onOpened: (streams: OpenedStream[]) => void = () => undefined;
    const opening = new Promise<OpenedStream[]>((resolve) => (onOpened = resolve));
    let onChecked: () => void = () => undefined;
    let onFailed: (error: Error) => void = () => undefined;
    this.laterChecked = new Promise<void>((resolve, reject) => ((onChecked = resolve), (onFailed = reject)));
    this.ended = new Promise<void>((resolve, reject) => {
      // A failure after `done` (in a check left for later) fails only `laterChecked`.
      const fail = (error: Error) => {
        reject(error);
        onFailed(error);
      };
      this.worker.on('message', (message: FromStreamFilesWorker) => {
        if (message.type === 'opened') onOpened(message.streams);
        else if (message.type === 'data') this.onData(message);
        else if (message.type === 'done') resolve();
        else if (message.type === 'checked') onChecked();
        else fail(message.kind ? new VolsnapError(message.kind, message.message) : new Error(message.message));
      });
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`the stream-files worker stopped unexpectedly (exit ${code})`)));
    });
    // Observed by `write` and `checked`; a worker stopped unused fails nobody.
    this.ended.catch(() => undefined);
    this.laterChecked.catch(() => undefined);
    // The sizes, or the worker's failure if it fails before sending them.
    this.opened = Promise.race([opening, this.ended.then(() => opening)]);
    this.opened.catch(() => undefined);
  }

  /**
   * Writes the entries to `sink` as they come and resolves with the streams' sha256s, in order.
   * The worker reads each volume and checks every chunk; this thread hashes each stream as it
   * takes the worker's buffers (the two halves of the CPU work run side by side) and acknowledges
   * each buffer once `sink` took it (the worker's flow control). A stream whose size or recorded
   * sha256 (format 1) does not match fails with `Integrity`, after its bytes went out: the caller
   * drops them. The worker is stopped either way, unless it still has checks to make (`checkLater`).
   */
  async write(
    data: StreamFilesData,
    sink: Writable,
    options: {
      /** Told each buffer's size as it arrives. */
      count?: (bytes: number) => void;
      /**
       * `sink` holds no buffer once its write called back (a file written in place, not a stream
       * that queues buffers for a reader): each buffer then goes back to the worker to be filled again.
       */
      doneOnCallback?: boolean;
    } = {},
  ): Promise<string[]> {
    const { count = () => undefined, doneOnCallback = false } = options;
    const hashes = new StreamHashes(data);
    try {
      await new Promise<void>((resolve, reject) => {
        this.onData = (message) => {
          const bytes = Buffer.from(message.data, 0, message.length);
          hashes.update(bytes);
          count(message.length);
          sink.write(bytes, (error) => {
            if (error) return reject(error);
            const ack: ToStreamFilesWorker = { type: 'ack', bytes: message.length };
            if (!doneOnCallback) return this.worker.postMessage(ack);
            this.worker.postMessage({ ...ack, handedBack: message.data }, [message.data]);
          });
        };
        this.ended.then(resolve, reject);
        this.worker.postMessage({ type: 'start', data } satisfies ToStreamFilesWorker);
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
    if (!data.checkLater) await this.stop();
    return data.streams.map((stream, i) => {
      const sha256 = hashes.digest(i);
      if (stream.sha256 !== null && sha256 !== stream.sha256) throw streamMismatch(stream.path, data.outcome);
      return sha256;
    });
  }

  /**
   * Resolves once the worker checked the chunks `write` left for later (`checkLater`); a damaged
   * one fails it with `Integrity`, naming the chunk. The worker is stopped either way.
   */
  async checked(): Promise<void> {
    try {
      await this.laterChecked;
    } finally {
      await this.stop();
    }
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The sha256 of each stream inside the worker's output: the bytes between its header and its padding. */
class StreamHashes {
  /** The output in order: bytes to pass over (hash null) and each stream's bytes (its hash). */
  private readonly spans: { bytes: number; hash: Hash | null }[] = [];
  private span = 0;
  private left: number;

  constructor({ streams, mtime }: StreamFilesData) {
    let between = 0;
    for (const stream of streams) {
      const { header, padding } = streamFile(stream, mtime);
      this.spans.push({ bytes: between + header.length, hash: null });
      this.spans.push({ bytes: stream.sizeBytes, hash: createHash('sha256') });
      between = padding.length;
    }
    this.left = this.spans[0]?.bytes ?? 0;
  }

  update(data: Buffer): void {
    for (let at = 0; at < data.length && this.span < this.spans.length;) {
      const take = Math.min(this.left, data.length - at);
      this.spans[this.span]!.hash?.update(data.subarray(at, at + take));
      at += take;
      this.left -= take;
      while (this.left === 0 && ++this.span < this.spans.length) this.left = this.spans[this.span]!.bytes;
    }
  }

  /** Stream `i`'s sha256. */
  digest(i: number): string {
    return this.spans[2 * i + 1]!.hash!.digest('hex');
  }
}
