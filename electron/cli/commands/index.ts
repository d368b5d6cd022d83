import type { CliCommand } from '../command';
import { exportCommand, importCommand } from './bundle-commands';
import { configCommand } from './config-commands';
import { diffCommand } from './diff-commands';
import { enginesCommand } from './engine-commands';
import { gcCommand } from './gc-command';
import { migrateCommand } from './migrate-command';
import { catCommand, extractCommand, lsCommand } from './file-commands';
import { pullCommand, pushCommand } from './registry-commands';
import { recoverCommand, restoreCommand } from './restore-commands';
import { cloneCommand } from './clone-command';
import { scheduleCommand } from './schedule-commands';
import { serveCommand } from './serve-command';
import { usageCommand } from './usage-command';
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
  lsCommand,
  catCommand,
  extractCommand,
  pinSnapshotCommand,
  unpinSnapshotCommand,
  deleteCommand,
  pruneCommand,
  gcCommand,
  migrateCommand,
  usageCommand,
  restoreCommand,
  cloneCommand,
  exportCommand,
  importCommand,
  pushCommand,
  pullCommand,
  recoverCommand,
  jobsCommand,
  scheduleCommand,
  configCommand,
  enginesCommand,
  serveCommand,
];
