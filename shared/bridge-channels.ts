import type { CommandName, Contract, EventName } from './contract';

/**
 * The IPC channel of every contract command, and every event name: all the preload needs. Kept apart
 * from contract.ts so that the sandboxed preload bundle does not carry zod and the input schemas
 * (760 KB) for a list of names; main validates every input. The annotations make the compiler check
 * both lists against the contract: a command or event added there must be added here.
 */
export const COMMAND_CHANNELS: { readonly [K in CommandName]: Contract[K]['name'] } = {
  engineStatus: 'engine:status',
  listEngines: 'engines:list',
  switchEngine: 'engines:switch',
  listWorkloads: 'workloads:list',
  listSnapshots: 'snapshots:list',
  showSnapshot: 'snapshots:show',
  captureWorkload: 'snapshots:capture',
  updateSnapshot: 'snapshots:update',
  deleteSnapshot: 'snapshots:delete',
  verifySnapshot: 'snapshots:verify',
  pruneSnapshots: 'snapshots:prune',
  storeUsage: 'store:usage',
  diffSnapshot: 'diff:run',
  diffFile: 'diff:file',
  listAllSnapshots: 'snapshots:list-all',
  listSnapshotFiles: 'files:list',
  readSnapshotFile: 'files:read',
  saveSnapshotFile: 'files:save',
  previewRestore: 'restore:preview',
  restoreSnapshot: 'restore:start',
  cloneSnapshot: 'restore:clone',
  pushSnapshot: 'registry:push',
  pullSnapshot: 'registry:pull',
  exportSnapshot: 'bundles:export',
  importBundle: 'bundles:import',
  listJobs: 'jobs:list',
  cancelJob: 'jobs:cancel',
  appInfo: 'app:info',
  getSettings: 'settings:get',
  setSetting: 'settings:set',
  listSchedules: 'schedules:list',
  setSchedule: 'schedules:set',
  showContextMenu: 'menu:context',
};

const EVENTS: { readonly [E in EventName]: true } = {
  'jobs:progress': true,
  'jobs:changed': true,
  'snapshots:list-changed': true,
  'workloads:list-changed': true,
  'engine:changed': true,
  'ui:show-snapshot': true,
};

export const BRIDGE_EVENT_NAMES = Object.keys(EVENTS) as EventName[];
