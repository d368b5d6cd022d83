import type { ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import type { Services } from '../services';
import { VolsnapError } from '../../shared/errors';

/** A malformed command line: `InvalidInput`, and exit code 2. */
export class UsageError extends VolsnapError {
  constructor(message: string) {
    super('InvalidInput', message);
  }
}

export interface CliArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface CliContext {
  /** Opens the services on first use (so `--help` needs no data dir). */
  services(): Services;
  json: boolean;
  /** Progress sink for long jobs (a bar on a TTY, nothing otherwise). */
  stderr: NodeJS.WriteStream;
  /** Where a command that writes raw bytes (cat) writes them. */
  stdout: NodeJS.WritableStream;
}

/** One `volsnap` subcommand: how to parse it, what it does, how its result reads for a person. */
export interface CliCommand<T = unknown> {
  name: string;
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  positionals: { min: number; max: number };
  /** Mutating commands first clean up after crashed processes (sweep, restore recovery). */
  mutating: boolean;
  /**
   * Frees space (delete, prune, gc), saves a snapshot elsewhere before it is deleted (export), or
   * serves the UI that does both (serve): on a full disk it may use the store's space reserve
   * (space-reserve.ts), released before the catalog opens.
   */
  freesSpace?: boolean;
  run(ctx: CliContext, args: CliArgs): Promise<T>;
  human(result: T): string;
  /** A result that reports a failure (e.g. a damaged snapshot): printed as usual, then exit 1. */
  failed?(result: T): boolean;
  /**
   * With --json, run() has already written the one stdout document itself (serve: its URL, at start,
   * since it then runs until Ctrl-C), so the result is not printed.
   */
  writesOwnJson?: boolean;
  /** run() wrote the output itself (cat's bytes): nothing is printed after it, with or without --json. */
  writesOwnOutput?: boolean;
}

export function defineCommand<T>(command: CliCommand<T>): CliCommand {
  return command;
}

export function stringOption(args: CliArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

type ContractModule = typeof import('../../shared/contract');

/** How the contract's fields are spelled on the command line, where the field name alone is not it. */
const FLAG_NAMES: Record<string, string> = {
  snapshot: '<snapshot>',
  workload: '<workload>',
  volumes: '--volume',
  path: '--file',
  safetySnapshot: '--no-safety-snapshot',
};

/**
 * Checks a command's flags with the contract's own zod schema (the rules the app and the web host
 * apply), so the CLI keeps no second copy of them. The contract loads on first use: importing it
 * builds every schema, and `list` must not load zod. Zod's issues become one `UsageError` (exit 2)
 * that names the flags: "Invalid input for volsnap capture: --mode: Invalid option: …".
 */
export async function parseFlags<T>(
  command: Pick<CliCommand, 'name' | 'usage'>,
  schemaOf: (contract: ContractModule) => z.ZodType<T>,
  input: Record<string, unknown>,
  flagNames: Record<string, string> = {},
): Promise<T> {
  const schema = schemaOf(await import('../../shared/contract'));
  // An absent flag is an absent field, not `undefined` in a strict object.
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const reasons = parsed.error.issues.map((issue) => {
    const field = issue.path[0];
    if (field === undefined) return issue.message;
    const name = String(field);
    return `${flagNames[name] ?? FLAG_NAMES[name] ?? `--${name}`}: ${issue.message}`;
  });
  throw new UsageError(`Invalid input for volsnap ${command.name}: ${reasons.join('; ')}.\nUsage: ${command.usage}`);
}
