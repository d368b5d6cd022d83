import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { exportSnapshot, exportToFile, type ExportDeps, type ExportResult } from './export';
import { IMPORT_READ_CHUNK } from './bundle-format';
import { importBundle } from './import-bundle';
import { importForeign } from './foreign-import';
import type { ImportDeps, ImportOptions } from './volume-set-import';
import { VolsnapError } from '../../../shared/errors';
import type { Snapshot } from '../../../shared/types';

export type BundleDeps = ImportDeps & ExportDeps;

export interface ImportRequest extends ImportOptions {
  /** A path, or `-` with `stdin` set. */
  file: string;
  /** Set for another tool's single-volume archive: the volume it holds. */
  volume?: string;
  stdin?: Readable;
}

/** Snapshots as files: `.volsnap` bundles out and in, and other tools' volume archives in. */
export class BundleService {
  constructor(private readonly deps: BundleDeps) {}

  /** Writes the snapshot's bundle to `file` (atomically), or to `sink` when given (standard output). */
  async export(ref: string, output: { file: string } | { sink: Writable }): Promise<ExportResult> {
    if ('file' in output) return exportToFile(this.deps, ref, output.file);
    const written = await exportSnapshot(this.deps, ref, output.sink);
    return { file: '-', ...written };
  }

  /** Imports a bundle, or with `volume` another tool's archive; hostile input, nothing stored unless all checks pass. */
  async import(request: ImportRequest): Promise<Snapshot> {
    const source = await this.open(request);
    const options = { ...request, fileName: request.file };
    if (request.volume !== undefined) return importForeign(this.deps, source, { ...options, volume: request.volume });
    return importBundle(this.deps, source, options);
  }

  private async open(request: ImportRequest): Promise<Readable> {
    if (request.file === '-') {
      if (!request.stdin) throw new VolsnapError('InvalidInput', 'Nothing to read: standard input is not available.');
      return request.stdin;
    }
    const info = await stat(request.file).catch(() => null);
    if (!info?.isFile())
      throw new VolsnapError(
        'NotFound',
        `No file ${request.file} to import. Give the path of a .volsnap bundle or a volume archive.`,
      );
    return createReadStream(request.file, { highWaterMark: IMPORT_READ_CHUNK });
  }
}
