import type { ParseArgsConfig } from 'node:util';
import type { Services } from '../services';

/** Thrown for a malformed command line: exit code 2. */
export class UsageError extends Error {}

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
  run(ctx: CliContext, args: CliArgs): Promise<T>;
  human(result: T): string;
  /** A result that reports a failure (e.g. a damaged snapshot): printed as usual, then exit 1. */
  failed?(result: T): boolean;
  /**
   * With --json, run() has already written the one stdout document itself (serve: its URL, at start,
   * since it then runs until Ctrl-C), so the result is not printed.
   */
  writesOwnJson?: boolean;
}

export function defineCommand<T>(command: CliCommand<T>): CliCommand {
  return command;
}

export function stringOption(args: CliArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}
