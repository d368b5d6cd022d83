import { Worker } from 'node:worker_threads';
import type { EngineClient as Docker } from '../docker/engine';
import type { ArchivedVolume } from './archive-pipeline';
import type { ArchiveWorkerData, FromArchiveWorker, ToArchiveWorker } from './archive-worker-protocol';
import type { PreviousLayout } from './chunked/chunked-capture';
import { engineCall, engineError } from '../docker/engine';
import { BatchPool } from './batch-pool';
import { bundledWorkerPath } from './worker-path';
import { helperMountPath } from '../docker/helper';
import { copyToSink, readArchive, SocketBody, type ByteSink } from '../docker/archive-read';
import { VolsnapError } from '../../shared/errors';
import type { ManifestEntry } from '../../shared/types';

export type { ArchivedVolume } from './archive-pipeline';

/** Flow control between the Engine's stream and the worker: pause above HIGH bytes in flight. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
/** Batches kept for reuse: what is in flight at the high-water mark, and a few more. */
const MAX_SPARE = 8;
/**
 * The stream's bytes are gathered into buffers of this size (a local socket reads straight into
 * them), which are transferred (not cloned) to the worker: a sixteenth of the messages of the
 * socket's 64 KiB reads, no copy across threads, far less garbage.
 */
const BATCH = 1024 * 1024;

/** Where and how one volume's tar is stored. */
export interface ArchiveOptions {
  volumeName: string;
  tempPath: string;
  /** 2: file contents go to the chunk store in `dataDir` and `tempPath` gets the tar layout. */
  format: 1 | 2;
  dataDir: string;
  /** Format 2: the volume in the workload's last snapshot, whose unchanged files are reused. */
  previous?: PreviousLayout;
  signal: AbortSignal;
  onProgress: (tarBytes: number, files: number) => void;
}

/**
 * Reads one volume through the Engine archive endpoint of a helper container and hands the bytes
 * to the archive worker thread, which writes the zstd archive to `tempPath` and builds the manifest
 * from the same bytes. The main thread only moves bytes, so the app stays responsive.
 */
export async function archiveVolume(
  options: ArchiveOptions & {
    helper: Docker.Container;
    /** The Engine is asked for the stream once this settles (and not at all after a cancel). */
    openAfter?: Promise<unknown>;
  },
): Promise<ArchivedVolume> {
  options.signal.throwIfAborted();
  const open = async (): Promise<TarSource> => {
    await options.openAfter;
    options.signal.throwIfAborted();
    return engineCall(`read volume ${options.volumeName}`, (): Promise<TarSource> => {
      const path = helperMountPath(options.volumeName);
      // Format 2's tar splitter refuses a tar without its end blocks, so it may read the plain stream.
      if (options.format === 2) return readArchive(options.helper, path);
      return options.helper.getArchive({ path }) as Promise<TarSource>;
    });
  };
  return archiveTar({
    ...options,
    // Not awaited here: the worker boots (0.1–0.2 s) while the Engine prepares its answer (0.2 s or more).
    source: open(),
    sourceError: (error) => engineError(error, `read volume ${options.volumeName}`),
    cancelled: () => new VolsnapError('Cancelled', 'The capture was cancelled; nothing was kept.'),
  });
}

/** A volume's tar as the archive worker reads it: the Engine's stream or a stored archive. */
export type TarSource = NodeJS.ReadableStream & { destroy(error?: Error): void };

/**
 * Stores one volume's tar stream through the archive worker thread (format 1: a zstd archive at
 * `tempPath`; format 2: chunks into the store and the layout at `tempPath`), with the manifest
 * built from the same bytes. Used by capture and by the format migration.
 */
export function archiveTar(
  options: ArchiveOptions & {
    /** A promise when the source is still being opened: the worker starts meanwhile. */
    source: TarSource | Promise<TarSource>;
    /** What a read error of the source becomes, and what a cancel rejects with. */
    sourceError: (error: Error) => Error;
    cancelled: () => Error;
  },
): Promise<ArchivedVolume> {
  const workerData: ArchiveWorkerData = {
    rootName: options.volumeName,
    tempPath: options.tempPath,
    format: options.format,
    dataDir: options.dataDir,
    previous: options.previous,
  };
  // A small young generation: the worker allocates a buffer or two per chunk and drops them at
  // once; V8's default lets that garbage grow tens of MB before a scavenge (peak RSS 285 → 262 MB,
  // no slower, on the 720 MB bench volume).
  const worker = new Worker(bundledWorkerPath('archive-worker.cjs'), {
    workerData,
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  const entries: ManifestEntry[] = [];
  let sent = 0;
  let consumed = 0;
  const batches = new BatchPool(BATCH, MAX_SPARE);
  let batch = batches.take();
  let used = 0;
  const flush = () => {
    if (used === 0) return;
    const message: ToArchiveWorker = { type: 'chunk', data: batch.buffer, length: used };
    worker.postMessage(message, [batch.buffer]);
    batch = batches.take();
    used = 0;
  };

  return new Promise<ArchivedVolume>((resolve, reject) => {
    let settled = false;
    let source: TarSource | null = null;
    const finish = (error: Error | null, value?: ArchivedVolume) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      source?.destroy();
      void worker.terminate();
      if (error) reject(error);
      else resolve(value!);
    };
    const onAbort = () => finish(options.cancelled());
    options.signal.addEventListener('abort', onAbort);

    const batched: ByteSink = {
      room: () => batch.subarray(used),
      filled(bytes) {
        sent += bytes;
        used += bytes;
        if (used === BATCH) flush();
        if (sent - consumed <= HIGH_WATER) return true;
        // Hand over the partial batch too: the worker must be able to consume all that was read,
        // or its reports could stay above LOW_WATER and the stream would never resume.
        flush();
        return false;
      },
      end() {
        flush();
        worker.postMessage({ type: 'end' } satisfies ToArchiveWorker);
      },
      error: (error) => finish(options.sourceError(error)),
    };
    let reading: { resume(): void } | null = null;
    const read = (opened: TarSource) => {
      source = opened;
      // Cancelled or failed while the source was being opened: nobody reads it.
      if (settled) return opened.destroy();
      reading = opened instanceof SocketBody ? opened.readInto(batched) : copyInto(opened, batched);
    };
    Promise.resolve(options.source).then(read, (error: Error) => finish(error));
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(new Error(`the archive worker stopped unexpectedly (exit ${code})`)));
    worker.on('message', (message: FromArchiveWorker) => {
      switch (message.type) {
        case 'progress':
          consumed = message.tarBytes;
          if (sent - consumed < LOW_WATER) reading?.resume();
          options.onProgress(message.tarBytes, message.files);
          break;
        case 'batch':
          batches.give(message.data);
          break;
        case 'entries':
          entries.push(...message.entries);
          break;
        case 'error':
          finish(Object.assign(new Error(message.message), { code: message.code }));
          break;
        case 'done': {
          const { contentBytes, fileCount, tarBytes, storedBytes, addedBytes, sha256, chunks } = message;
          finish(null, {
            manifest: { entries, contentBytes, fileCount, tarBytes },
            storedBytes,
            addedBytes,
            sha256,
            chunks: chunks && Buffer.from(chunks),
          });
          break;
        }
      }
    });
  });
}

/** A stream's bytes copied into `sink`'s buffers, the stream paused while the sink asks. */
function copyInto(stream: TarSource, sink: ByteSink): { resume(): void } {
  stream.on('data', (chunk: Buffer) => {
    if (!copyToSink(chunk, sink)) stream.pause();
  });
  stream.on('end', () => sink.end());
  stream.on('error', (error: Error) => sink.error(error));
  return { resume: () => stream.resume() };
}
