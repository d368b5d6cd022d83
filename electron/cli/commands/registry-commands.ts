import { defineCommand, stringOption, UsageError, type CliArgs } from '../command';
import { humanBytes } from '../format';
import { followJob } from '../progress';
import { startPull, type PullResult } from '../../services/registry/pull';
import { startPush, type PushResult } from '../../services/registry/push';

const CREDENTIAL_OPTIONS = {
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'keep-image': { type: 'boolean' },
} as const;

/** `--username` with `--password-stdin`, as `docker login` takes them; the password never on the command line. */
async function credentials(args: CliArgs): Promise<{ username: string; password: string } | undefined> {
  const username = stringOption(args, 'username');
  const fromStdin = args.values['password-stdin'] === true;
  if (username === undefined && !fromStdin) return undefined;
  if (username === undefined || !fromStdin)
    throw new UsageError(
      '--username and --password-stdin go together (echo "$TOKEN" | volsnap push … --username me --password-stdin)',
    );
  if (process.stdin.isTTY) throw new UsageError('--password-stdin reads the password from a pipe, not a terminal');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('--password-stdin read an empty password');
  return { username, password };
}

export const pushCommand = defineCommand<PushResult>({
  name: 'push',
  usage: 'volsnap push <snapshot> <image reference> [--keep-image] [--username U --password-stdin]',
  summary: 'Push a snapshot to an OCI registry as an image, with your docker login credentials',
  options: CREDENTIAL_OPTIONS,
  positionals: { min: 2, max: 2 },
  mutating: true,
  async run(ctx, args) {
    const given = await credentials(args); // a usage error before the store is opened
    const services = ctx.services();
    const handle = await startPush(services, {
      snapshot: args.positionals[0]!,
      reference: args.positionals[1]!,
      keepImage: args.values['keep-image'] === true,
      credentials: given,
    });
    return followJob(services, handle, ctx.stderr);
  },
  human: (r) =>
    [
      `Pushed ${r.snapshotName} (${r.snapshotId}) to ${r.reference}`,
      `digest    ${r.digest}`,
      `size      ${humanBytes(r.bytes)}`,
      r.keptImage ? `local image kept: ${r.reference}` : 'local image removed',
    ].join('\n'),
});

export const pullCommand = defineCommand<PullResult>({
  name: 'pull',
  usage:
    'volsnap pull <image reference> [--name NAME] [--workload W] [--allow-special-files] [--volume NAME (vackup/extension images)] [--keep-image] [--username U --password-stdin]',
  summary: 'Pull a snapshot image from an OCI registry, verify it like an imported bundle, and store it',
  options: {
    ...CREDENTIAL_OPTIONS,
    name: { type: 'string' },
    workload: { type: 'string' },
    volume: { type: 'string' },
    'allow-special-files': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  mutating: true,
  async run(ctx, args) {
    const given = await credentials(args);
    const services = ctx.services();
    const handle = await startPull(services, {
      reference: args.positionals[0]!,
      name: stringOption(args, 'name'),
      workload: stringOption(args, 'workload'),
      volume: stringOption(args, 'volume'),
      allowSpecialFiles: args.values['allow-special-files'] === true,
      keepImage: args.values['keep-image'] === true,
      credentials: given,
    });
    return followJob(services, handle, ctx.stderr);
  },
  human: ({ snapshot: s, reference, digest, keptImage }) =>
    [
      `Pulled ${reference} as ${s.name}  (${s.id})`,
      `digest    ${digest ?? 'not reported by the registry'}`,
      `workload  ${s.workloadName} (${s.workloadId})`,
      `volumes   ${s.volumes.map((v) => v.volumeName).join(', ')}`,
      `size      ${humanBytes(s.sizeBytes)} in ${s.fileCount} files`,
      `special files ${s.specialFiles}${s.specialFiles === 'refused' ? ' (device nodes, FIFOs and setuid files are refused on restore)' : ''}`,
      keptImage ? `image kept: ${reference}` : 'image removed',
    ].join('\n'),
});
