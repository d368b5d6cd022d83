import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliContext } from './command';
import { COMMANDS } from './commands';
import { createServices, type Services } from '../services';
import { defaultDataDir } from '../services/data-dir';
import { toErrorData } from '../../shared/errors';

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'volsnap: snapshots of the Docker volumes of your local stacks',
    '',
    'Usage: volsnap [--data-dir DIR] [--json] <command> [arguments]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Engine: DOCKER_HOST or the default socket. Data dir: --data-dir, VOLSNAP_DATA_DIR, or the',
    'platform default (shared with the desktop app). `volsnap <command> --help` shows its usage.',
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed, 2 usage error. */
export async function runCli(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let json = argv.includes('--json');
  let services: Services | undefined;
  try {
    const name = argv.find((a) => !a.startsWith('-') && !isGlobalValue(argv, a));
    const command = COMMANDS.find((c) => c.name === name);
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
    const ctx: CliContext = {
      json,
      stderr: io.stderr,
      services: () => (services ??= createServices({ dataDir })),
    };
    if (command.mutating) await ctx.services().sweep();
    const result = await command.run(ctx, args);
    io.stdout.write(json ? `${JSON.stringify(result)}\n` : `${command.human(result)}\n`);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    const data = usage ? { kind: 'InvalidInput' as const, message: error.message } : toErrorData(error);
    io.stderr.write(json ? `${JSON.stringify({ error: data })}\n` : `volsnap: ${data.message}\n`);
    return usage ? 2 : 1;
  } finally {
    services?.close();
  }
}

function isGlobalValue(argv: string[], arg: string): boolean {
  const i = argv.indexOf(arg);
  return i > 0 && argv[i - 1] === '--data-dir';
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
