import type { CliCommand } from '../command';
import { configCommand } from './config-commands';
import { diffCommand } from './diff-commands';
import { enginesCommand } from './engine-commands';
import { recoverCommand, restoreCommand } from './restore-commands';
import { serveCommand } from './serve-command';
import {
  captureCommand,
  deleteCommand,
  jobsCommand,
  listCommand,
  pinSnapshotCommand,
  pruneCommand,
  showCommand,
  unpinSnapshotCommand,
  verifyCommand,
  workloadsCommand,
} from './snapshot-commands';

/** Every `volsnap` subcommand, in the order `--help` lists them. */
export const COMMANDS: CliCommand[] = [
  workloadsCommand,
  captureCommand,
  listCommand,
  showCommand,
  verifyCommand,
  diffCommand,
  pinSnapshotCommand,
  unpinSnapshotCommand,
  deleteCommand,
  pruneCommand,
  restoreCommand,
  recoverCommand,
  jobsCommand,
  configCommand,
  enginesCommand,
  serveCommand,
];
