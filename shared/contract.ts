import { z } from 'zod';
import { BRIDGE_EVENT_NAMES } from './bridge-channels';
import { SETTING_KEYS, type Settings } from './settings';
import { SNAPSHOT_NAME_MAX } from './snapshot-name';
import type { DiffResult, FileDiff } from './diff-types';
import type { Result } from './errors';
import type { RestorePlan } from './restore-types';
import {
  CAPTURE_MODES,
  type Job,
  type JobProgress,
  type PruneResult,
  type Snapshot,
  type VerifyReport,
  type Workload,
} from './types';

/**
 * The one contract between the renderer and the main process (Electron IPC or the web host's
 * WebSocket). Preload, main's handlers and the renderer's client are all derived from it.
 */

export interface CommandDef<Name extends string, Input, Output> {
  name: Name;
  input: z.ZodType<Input>;
  /** Phantom: carries the output type only. */
  output?: Output;
}

function command<Output>() {
  return <Name extends string, Input>(name: Name, input: z.ZodType<Input>): CommandDef<Name, Input, Output> => ({
    name,
    input,
  });
}

const ref = z.string().min(1).max(200);
const workloadRef = z.string().min(1).max(300);
const noInput = z.object({}).strict();

export const CaptureInput = z
  .object({
    workload: workloadRef,
    name: z.string().min(1).max(SNAPSHOT_NAME_MAX).optional(),
    note: z.string().max(2000).optional(),
    mode: z.enum(CAPTURE_MODES).optional(),
    volumes: z.array(z.string().min(1).max(255)).max(100).optional(),
    trigger: z.enum(['manual', 'tray']).optional(),
  })
  .strict();

export const DiffInput = z
  .object({
    snapshot: ref,
    /** `current` (the live volumes) or another snapshot of the same workload. */
    against: ref.default('current'),
    mode: z.enum(['live', 'pause']).optional(),
  })
  .strict();

export const FileDiffInput = z
  .object({
    snapshot: ref,
    against: ref.default('current'),
    volume: z.string().min(1).max(255),
    path: z.string().min(1).max(4096),
  })
  .strict();

export const RestoreInput = z
  .object({ snapshot: ref, confirm: z.string().max(200), safetySnapshot: z.boolean().default(true) })
  .strict();

export const contract = {
  engineStatus: command<EngineStatus>()('engine:status', noInput),
  listWorkloads: command<Workload[]>()('workloads:list', noInput),
  listSnapshots: command<Snapshot[]>()('snapshots:list', z.object({ workloadId: workloadRef.optional() }).strict()),
  showSnapshot: command<Snapshot>()('snapshots:show', z.object({ snapshot: ref }).strict()),
  captureWorkload: command<{ jobId: string }>()('snapshots:capture', CaptureInput),
  updateSnapshot: command<Snapshot>()(
    'snapshots:update',
    z
      .object({
        snapshot: ref,
        name: z.string().min(1).max(SNAPSHOT_NAME_MAX).optional(),
        note: z.string().max(2000).optional(),
        pinned: z.boolean().optional(),
      })
      .strict(),
  ),
  deleteSnapshot: command<Snapshot>()(
    'snapshots:delete',
    z.object({ snapshot: ref, confirm: z.string().max(200), force: z.boolean().optional() }).strict(),
  ),
  verifySnapshot: command<VerifyReport>()('snapshots:verify', z.object({ snapshot: ref }).strict()),
  pruneSnapshots: command<PruneResult>()('snapshots:prune', noInput),
  diffSnapshot: command<DiffResult>()('diff:run', DiffInput),
  diffFile: command<FileDiff>()('diff:file', FileDiffInput),
  previewRestore: command<RestorePlan>()('restore:preview', z.object({ snapshot: ref }).strict()),
  restoreSnapshot: command<{ jobId: string }>()('restore:start', RestoreInput),
  listJobs: command<Job[]>()('jobs:list', noInput),
  cancelJob: command<null>()('jobs:cancel', z.object({ jobId: z.string().regex(/^[0-9a-f]{16}$/) }).strict()),
  appInfo: command<AppInfo>()('app:info', noInput),
  getSettings: command<Settings>()('settings:get', noInput),
  setSetting: command<Settings>()(
    'settings:set',
    z
      .object({
        key: z.enum(SETTING_KEYS),
        value: z.unknown(),
      })
      .strict(),
  ),
} as const;

export type Contract = typeof contract;
export type CommandName = keyof Contract;
export type InputOf<K extends CommandName> = Contract[K] extends CommandDef<string, infer I, unknown> ? I : never;
export type OutputOf<K extends CommandName> = Contract[K] extends CommandDef<string, unknown, infer O> ? O : never;

export interface EngineStatus {
  ok: boolean;
  endpoint: string;
  version: string | null;
  /** Why the engine cannot be reached, written for the user. */
  message: string | null;
}

/** Where this host keeps its store (shown in Settings, so the user knows what the CLI needs as --data-dir). */
export interface AppInfo {
  dataDir: string;
}

/** Events main pushes to the renderer; the renderer refetches on the coarse `*-changed` ones. */
export interface EventMap {
  'jobs:progress': JobProgress;
  'jobs:changed': Job;
  'snapshots:list-changed': { workloadId: string };
  'workloads:list-changed': Record<string, never>;
  /** The desktop shell asks the UI to show a snapshot (a click in the tray or on a notification). */
  'ui:show-snapshot': { snapshotId: string; workloadId: string };
}
export type EventName = keyof EventMap;
/** Every event name, from the one list the compiler checks against EventMap (bridge-channels.ts). */
export const EVENT_NAMES: readonly EventName[] = BRIDGE_EVENT_NAMES;

/** What the renderer holds: one async method per command (throwing `VolsnapError`), plus `on`. */
export type VolsnapClient = {
  [K in CommandName]: (input: z.input<Contract[K]['input']>) => Promise<OutputOf<K>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
};

export const COMMAND_NAMES = Object.keys(contract) as CommandName[];

/**
 * The transport under the client: one method per command returning the result envelope, plus
 * event subscription. Preload exposes exactly this (as `window.volsnapBridge`); the web host's
 * WebSocket client implements it too; `createClient` in the renderer turns it into a VolsnapClient.
 */
export type VolsnapBridge = {
  [K in CommandName]: (input: z.input<Contract[K]['input']>) => Promise<Result<OutputOf<K>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
};
