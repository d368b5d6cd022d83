import { defineCommand, stringOption, UsageError, type CliContext } from '../command';
import { humanBytes } from '../format';
import { followJob } from '../progress';
import type { Services } from '../../services';
import { BundleService } from '../../services/bundle/bundle-service';
import { startExportJob } from '../../services/bundle/bundle-jobs';
import type { ExportResult } from '../../services/bundle/export';
import type { Snapshot } from '../../../shared/types';

function bundles(services: Services): BundleService {
  const { dataDir, db, docker, catalog, files, storedVolumes, workloads, leases } = services;
  return new BundleService({ dataDir, db, docker, catalog, files, storedVolumes, workloads, leases });
}

function exportLine(result: ExportResult): string {
  return `Exported ${result.file === '-' ? 'to standard output' : result.file}: ${humanBytes(result.sizeBytes)}, sha256 ${result.sha256}`;
}

export const exportCommand = defineCommand<ExportResult>({
  name: 'export',
  usage: 'volsnap export <snapshot> [--output FILE|-]',
  summary: 'Write a snapshot to one .volsnap file (or standard output) to move or keep it',
  options: { output: { type: 'string', short: 'o' } },
  positionals: { min: 1, max: 1 },
  mutating: false,
  freesSpace: true,
  // The result goes to stdout for a file, to stderr when the bundle itself is on stdout.
  writesOwnOutput: true,
  run: async (ctx, args) => {
    const ref = args.positionals[0]!;
    const output = stringOption(args, 'output') ?? `${ref.replace(/[/\\]/g, '-')}.volsnap`;
    if (output === '-' && process.stdout.isTTY)
      throw new UsageError('refusing to write a bundle to a terminal; redirect it (> file) or pipe it.');
    const services = ctx.services();
    if (output === '-') {
      const piped = await bundles(services).export(ref, { sink: process.stdout });
      report(ctx, ctx.stderr, piped);
      return piped;
    }
    // A file export runs as a job, as the app's does: a progress bar on a terminal, and Ctrl-C
    // cancels it, which removes the partial file instead of leaving it beside the output.
    const { file, sizeBytes, sha256 } = await followJob(
      services,
      startExportJob(services, { snapshot: ref, to: { file: output } }),
      ctx.stderr,
    );
    const result = { file, sizeBytes, sha256 };
    report(ctx, ctx.stdout, result);
    return result;
  },
  human: exportLine,
});

function report(ctx: CliContext, to: NodeJS.WritableStream, result: ExportResult): void {
  to.write(`${ctx.json ? JSON.stringify(result) : exportLine(result)}\n`);
}

export const importCommand = defineCommand<Snapshot>({
  name: 'import',
  usage:
    "volsnap import <FILE|-> [--name NAME] [--workload W] [--allow-special-files] [--volume NAME (another tool's .tar/.tar.gz/.tar.zst/.tar.bz2)]",
  summary: 'Bring in a .volsnap bundle, or a volume archive from vackup and similar tools',
  options: {
    name: { type: 'string' },
    workload: { type: 'string' },
    volume: { type: 'string' },
    'allow-special-files': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  mutating: true,
  run: async (ctx, args) => {
    const file = args.positionals[0]!;
    if (file === '-' && process.stdin.isTTY)
      throw new UsageError(
        'standard input is a terminal; pipe a bundle in (volsnap export s -o - | volsnap import -).',
      );
    return bundles(ctx.services()).import({
      file,
      stdin: file === '-' ? process.stdin : undefined,
      name: stringOption(args, 'name'),
      workload: stringOption(args, 'workload'),
      volume: stringOption(args, 'volume'),
      allowSpecialFiles: args.values['allow-special-files'] === true,
    });
  },
  human: (s) =>
    [
      `Imported ${s.name}  (${s.id})`,
      `workload  ${s.workloadName} (${s.workloadId})`,
      `volumes   ${s.volumes.map((v) => v.volumeName).join(', ')}`,
      `size      ${humanBytes(s.sizeBytes)} in ${s.fileCount} files`,
      `special files ${s.specialFiles}${s.specialFiles === 'refused' ? ' (device nodes, FIFOs and setuid files are refused on restore)' : ''}`,
    ].join('\n'),
});
