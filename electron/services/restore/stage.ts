import { PassThrough } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { EngineClient as Docker } from '../../docker/engine';
import { RefusedEntry } from './entry-check';
import type { JournalVolume } from './journal';
import type { FromStageWorker, StageWorkerData, StoredSource } from './stage-worker-protocol';
import { stageDirName } from './swap';
import { engineCall } from '../../docker/engine';
import { helperMountPath } from '../../docker/helper';
import { bundledWorkerPath } from '../worker-path';
import { VolsnapError } from '../../../shared/errors';
import type { ManifestEntry, SpecialFiles } from '../../../shared/types';

/**
 * Stages one volume: a worker thread reads its stored tar, checks every entry before it is
 * sent (see EntryChecker and repackArchive) and re-packs it under `.volsnap-stage-<job>/` as
 * uncompressed tar; this thread uploads those bytes through the Engine's archive endpoint into a
 * created helper mounting the target. A file whose sha256 does not match fails the stage once its
 * data streamed; that is still before any swap, and the caller rolls the stage dir back.
 */
export async function stageVolume(options: {
  helper: Docker.Container;
  source: StoredSource;
  volume: JournalVolume;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
  jobId: string;
  signal: AbortSignal;
  onProgress: (bytes: number, files: number) => void;
}): Promise<void> {
  const { volume, signal } = options;
  signal.throwIfAborted();
  const workerPath = bundledWorkerPath('restore-stage-worker.cjs');
  const out = new PassThrough({ highWaterMark: 4 << 20 });
  const upload = engineCall(`write into volume ${volume.target}`, () =>
    options.helper.putArchive(out, { path: helperMountPath(volume.target) }),
  );
  const workerData: StageWorkerData = {
    source: options.source,
    rootName: volume.volumeName,
    stageDir: stageDirName(options.jobId),
    manifest: options.manifest,
    specialFiles: options.specialFiles,
  };
  const worker = new Worker(workerPath, { workerData });
  let failure: unknown = null;
  let bytes = 0;
  let files = 0;
  await new Promise<void>((resolve) => {
    let settled = false;
    const finish = (error: unknown) => {
      if (settled) return;
      settled = true;
      failure = error;
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      // Ending without the tar trailer makes the Engine stop reading; the caller removes the partial stage.
      out.end();
      resolve();
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener('abort', onAbort);
    upload.catch(finish);
    worker.on('error', finish);
    worker.on('exit', (code) => finish(new Error(`the stage worker stopped unexpectedly (exit ${code})`)));
    worker.on('message', (message: FromStageWorker) => {
      if (settled) return;
      switch (message.type) {
        case 'data': {
          const chunk = Buffer.from(message.data, 0, message.length);
          out.write(chunk, () => worker.postMessage({ type: 'ack', bytes: message.length }));
          bytes += message.length;
          options.onProgress(bytes, files);
          break;
        }
        case 'progress':
          files = message.files;
          break;
        case 'error':
          finish(
            message.refused
              ? new RefusedEntry(message.message)
              : Object.assign(new Error(message.message), { code: message.code }),
          );
          break;
        case 'done':
          options.onProgress(bytes, message.files);
          finish(null);
          break;
      }
    });
  });
  try {
    await upload;
  } catch (error) {
    failure ??= error;
  }
  if (failure !== null) throw explain(failure, volume, signal);
}

/**
 * Runs every entry check and file hash of a volume's stored tar in the stage worker without sending
 * a byte: the pass a restore makes before it stops the workload, so a forged archive costs no
 * downtime and no safety snapshot (it rejects with the same errors as staging).
 */
export async function checkArchive(options: {
  source: StoredSource;
  volume: VolumeNames;
  manifest: ManifestEntry[];
  specialFiles: SpecialFiles;
}): Promise<void> {
  const workerData: StageWorkerData = {
    source: options.source,
    rootName: options.volume.volumeName,
    stageDir: '.volsnap-check',
    manifest: options.manifest,
    specialFiles: options.specialFiles,
    dryRun: true,
  };
  const worker = new Worker(bundledWorkerPath('restore-stage-worker.cjs'), { workerData });
  const failure = await new Promise<unknown>((resolve) => {
    worker.on('message', (message: FromStageWorker) => {
      if (message.type === 'done') resolve(null);
      else if (message.type === 'error')
        resolve(message.refused ? new RefusedEntry(message.message) : new Error(message.message));
    });
    worker.on('error', resolve);
    worker.on('exit', (code) => resolve(new Error(`the check worker stopped unexpectedly (exit ${code})`)));
  });
  await worker.terminate();
  if (failure !== null) throw explain(failure, options.volume, new AbortController().signal);
}

/** What the error messages name of a volume. */
type VolumeNames = Pick<JournalVolume, 'volumeName' | 'target'>;

function explain(error: unknown, volume: VolumeNames, signal: AbortSignal): unknown {
  if (signal.aborted)
    return new VolsnapError('Cancelled', 'The restore was cancelled while staging; nothing was swapped.');
  if (error instanceof RefusedEntry) {
    return new VolsnapError(
      'Integrity',
      `The archive of volume ${volume.volumeName} was refused: ${error.message}. Nothing was swapped and the volume keeps its contents. The snapshot may have been tampered with; run volsnap verify on it.`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/no space left|ENOSPC|disk quota/i.test(message)) {
    return new VolsnapError(
      'Internal',
      `Volume ${volume.target} ran out of space while staging the snapshot (a restore needs room for the old and the new contents until the swap). Nothing was swapped. Free space in the volume, then restore again.`,
    );
  }
  if (error instanceof VolsnapError) return error;
  return new VolsnapError(
    'Integrity',
    `The archive of volume ${volume.volumeName} cannot be read (${message}). Nothing was swapped; run volsnap verify on the snapshot.`,
  );
}
