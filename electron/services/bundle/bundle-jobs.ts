import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { checkingProgress, exportSnapshot, exportToFile, type ExportDeps, type ExportWatch } from './export';
import { IMPORT_READ_CHUNK } from './bundle-format';
import { importBundle } from './import-bundle';
import type { ImportDeps, ImportOptions } from './volume-set-import';
import type { JobContext, JobHandle, JobRunner } from '../jobs';
import { VolsnapError } from '../../../shared/errors';
import type { JobResults, Snapshot } from '../../../shared/types';

// The app's Export… and Import…: the CLI's bundle code run as jobs, so the app shows their bytes
// and can cancel them. The CLI itself keeps calling BundleService directly.

export type BundleJobDeps = ImportDeps & ExportDeps & { jobs: JobRunner };

/** Where an export goes: a file (written atomically) or a stream the caller ends (a download). */
export type ExportTarget = { file: string } | { sink: Writable; name: string };

/** Starts exporting a ready snapshot; a snapshot that is not ready is refused before the job starts. */
export function startExportJob(
  deps: BundleJobDeps,
  options: { snapshot: string; to: ExportTarget },
): JobHandle<JobResults['export']> {
  const snapshot = deps.catalog.resolve(options.snapshot);
  if (snapshot.status !== 'ready')
    throw new VolsnapError(
      'InvalidInput',
      `Snapshot "${snapshot.name}" is ${snapshot.status}; only ready snapshots can be exported.`,
    );
  return deps.jobs.start(
    {
      kind: 'export',
      workloadId: snapshot.workloadId,
      snapshotId: snapshot.id,
      exclusive: false,
      toResult: (r: JobResults['export']) => r,
    },
    async (ctx) => {
      const watch = watched(ctx);
      const { to } = options;
      const written =
        'file' in to
          ? await exportToFile(deps, snapshot.id, to.file, watch)
          : { file: to.name, ...(await exportSnapshot(deps, snapshot.id, to.sink, watch)) };
      return { snapshotId: snapshot.id, ...written };
    },
  );
}

/**
 * Reports each volume's check, then counts the bytes going out; stops on cancel or when the output
 * closes early (the browser dropped the download). No buffer of its own (highWaterMark 0), and a
 * write calls back once the output's own write did: the writer moves on only when the output is
 * done with each chunk, so the file export can end its output once the bundle is written and hand
 * each buffer back to be filled again.
 */
function watched(ctx: JobContext): ExportWatch {
  const output = (sink: Writable, total: number) => {
    let done = 0;
    const out = new Writable({
      highWaterMark: 0,
      write(chunk: Buffer, _encoding, callback) {
        if (ctx.signal.aborted) return callback(cancelled('export'));
        done += chunk.length;
        ctx.progress({ phase: 'exporting', bytesDone: done, bytesTotal: total, ratio: Math.min(1, done / total) });
        let settled = false;
        const settle = (error?: Error | null) => {
          if (settled) return;
          settled = true;
          sink.off('close', onClose);
          callback(error ?? null);
        };
        const onClose = () => settle(closedEarly());
        sink.once('close', onClose);
        sink.write(chunk, settle);
      },
    });
    ctx.signal.addEventListener('abort', () => out.destroy(cancelled('export')), { once: true });
    sink.once('close', () => {
      if (!out.destroyed && !sink.writableFinished) out.destroy(closedEarly());
    });
    sink.once('error', (error) => out.destroy(error));
    // The writer sees a destroyed output on its next write; between writes nobody listens for the error.
    out.on('error', () => undefined);
    return out;
  };
  const hashing = (done: number, total: number) => {
    ctx.checkCancelled();
    const progress = { bytesDone: done, bytesTotal: total, ratio: total > 0 ? done / total : 1 };
    ctx.progress({ phase: 'exporting', detail: 'checksumming the file', ...progress });
  };
  return { checking: checkingProgress(ctx), output, hashing };
}

/** Starts importing a `.volsnap` file; the job reads it once, checks all of it, and stores nothing on any failure. */
export async function startImportJob(
  deps: BundleJobDeps,
  options: ImportOptions & { file: string; fileName: string },
): Promise<JobHandle<Snapshot>> {
  const info = await stat(options.file).catch(() => null);
  if (!info?.isFile())
    throw new VolsnapError('NotFound', `No file ${options.fileName} to import. Choose a .volsnap bundle.`);
  return deps.jobs.start(
    {
      kind: 'import',
      // The workload is known only once volsnap.json is read; the job is filed under the file.
      workloadId: `file:${options.fileName}`,
      exclusive: false,
      toResult: (s: Snapshot) => ({ snapshotId: s.id, snapshotName: s.name }),
    },
    (ctx) => {
      const counted = countedRead(ctx, options.file, info.size, options.fileName);
      return importBundle(deps, counted, options);
    },
  );
}

/** The file as a stream that reports bytes read and fails with `Cancelled` on cancel. */
function countedRead(ctx: JobContext, file: string, size: number, name: string): Transform {
  let done = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (ctx.signal.aborted) return callback(cancelled('import'));
      done += chunk.length;
      ctx.progress({
        phase: 'importing',
        detail: name,
        bytesDone: done,
        bytesTotal: size,
        ratio: size ? done / size : 1,
      });
      callback(null, chunk);
    },
  });
  const source = createReadStream(file, { highWaterMark: IMPORT_READ_CHUNK });
  source.on('error', (error) => counted.destroy(error));
  ctx.signal.addEventListener('abort', () => {
    source.destroy();
    counted.destroy(cancelled('import'));
  });
  return source.pipe(counted);
}

function cancelled(what: 'export' | 'import'): VolsnapError {
  return new VolsnapError('Cancelled', `The ${what} was cancelled; nothing was kept.`);
}

function closedEarly(): VolsnapError {
  return new VolsnapError('Cancelled', 'The download was closed before the bundle was complete.');
}
