import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliContext } from './command';
import { COMMANDS } from './commands';
import type { Services } from '../services';
import { defaultDataDir } from '../services/data-dir';
import { explainDiskFull } from '../store/disk-full';
import { toErrorData } from '../../shared/errors';
import { version } from '../../package.json';

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'volsnap: snapshots of the Docker volumes of your local stacks',
    '',
    'Usage: volsnap [--data-dir DIR] [--context NAME] [--json] <command> [arguments]',
    '       volsnap --version',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Engine: --context, DOCKER_HOST, DOCKER_CONTEXT, the engine setting, the current Docker context,',
    'then the default and desktop sockets (see volsnap engines).',
    'Data dir: --data-dir, VOLSNAP_DATA_DIR, or the',
    'platform default (shared with the desktop app). `volsnap <command> --help` shows its usage.',
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 usage error. */
export async function runCli(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let json = argv.includes('--json');
  let services: Services | undefined;
  let storeDir: string | undefined;
  try {
    const name = argv.find((a) => !a.startsWith('-') && !isGlobalValue(argv, a));
    const command = COMMANDS.find((c) => c.name === name);
    if (!command && (argv.includes('--version') || argv.includes('-V'))) {
      io.stdout.write(json ? `${JSON.stringify({ version })}\n` : `volsnap ${version}\n`);
      return 0;
    }
    if (!command) {
      if (name === undefined || argv.includes('--help') || argv.includes('-h')) {
        io.stdout.write(`${helpText()}\n`);
        return name === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
      }
      throw new UsageError(`unknown command "${name}". Run volsnap --help.`);
    }
    const args = parse(
      command,
      argv.filter((a, i) => i !== argv.indexOf(name!)),
    );
    json = args.values.json === true;
    if (args.values.help === true) {
      io.stdout.write(`Usage: ${command.usage}\n`);
      return 0;
    }
    const dataDir = typeof args.values['data-dir'] === 'string' ? args.values['data-dir'] : defaultDataDir();
    storeDir = dataDir;
    // Before the catalog is opened: on a full disk it would open read-only (db.ts, openOnFullDisk).
    if (command.freesSpace) new (await import('../store/space-reserve')).SpaceReserve(dataDir).releaseIfFull();
    // Loaded only now, so `--version`, `--help` and usage errors never pay for the services' modules.
    const { createServices } = await import('../services');
    const docker = await commandEngine(command, args.values.context);
    const ctx: CliContext = {
      json,
      stderr: io.stderr,
      stdout: io.stdout,
      services: () => (services ??= createServices({ dataDir, docker })),
    };
    if (command.mutating) await ctx.services().sweep();
    const result = await command.run(ctx, args);
    if (command.writesOwnOutput === true) return 0;
    if (!json) io.stdout.write(`${command.human(result)}\n`);
    else if (command.writesOwnJson !== true) io.stdout.write(`${JSON.stringify(result)}\n`);
    return command.failed?.(result) === true ? 1 : 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    // A full data-dir disk surfaces as SQLite's bare `disk I/O error`: say what it is (disk-full.ts).
    const cause = storeDir === undefined ? error : explainDiskFull(error, storeDir);
    const data = usage ? { kind: 'InvalidInput' as const, message: error.message } : toErrorData(cause);
    io.stderr.write(json ? `${JSON.stringify({ error: data })}\n` : `volsnap: ${data.message}\n`);
    return usage ? 2 : 1;
  } finally {
    services?.close();
  }
}

function isGlobalValue(argv: string[], arg: string): boolean {
  const i = argv.indexOf(arg);
  return i > 0 && (argv[i - 1] === '--data-dir' || argv[i - 1] === '--context');
}

/**
 * `config` must work while the chosen engine is broken (to fix it), and `engines` reports each one;
 * ls, cat and extract read only the store, so they work with the engine down.
 */
const ENGINE_FREE = new Set(['config', 'engines', 'ls', 'cat', 'extract']);

/** The engine a command talks to, resolved once the way the docker CLI would (engine-resolve.ts). */
async function commandEngine(command: CliCommand, context: unknown) {
  if (ENGINE_FREE.has(command.name)) return undefined;
  const { connectEngine } = await import('../docker/engine');
  const { assertSupportedEngine } = await import('../docker/engine-candidates');
  const { resolveConfiguredEngine } = await import('../services/engine-choice');
  const docker = connectEngine(await resolveConfiguredEngine(typeof context === 'string' ? context : undefined));
  // Only before commands that change things: read-only ones (list, show) must stay quick and work
  // while the engine is unreachable, and fail on their own terms when they need it.
  if (command.mutating) await assertSupportedEngine(docker);
  return docker;
}

function parse(command: CliCommand, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nUsage: ${command.usage}`);
  }
  const { positionals, values } = parsed;
  if (
    values.help !== true &&
    (positionals.length < command.positionals.min || positionals.length > command.positionals.max)
  ) {
    throw new UsageError(`wrong number of arguments.\nUsage: ${command.usage}`);
  }
  return { positionals, values: values as Record<string, string | boolean | string[] | undefined> };
}
