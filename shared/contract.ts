import { z } from 'zod';
import { BRIDGE_EVENT_NAMES } from './bridge-channels';
import { SETTING_KEYS, type Settings } from './settings';
import { SNAPSHOT_NAME_MAX } from './snapshot-name';
import type { DiffResult, FileDiff } from './diff-types';
import type { SnapshotFileListing, SnapshotFilePreview, StoreSnapshots } from './file-types';
import type { Result } from './errors';
import type { RestorePlan } from './restore-types';
import type { Schedule } from './schedule-types';
import type { StoreUsage } from './usage-types';
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

/** `volsnap push`: credentials come from the user's docker login (config.json, credential helpers). */
export const PushInput = z
  .object({ snapshot: ref, reference: z.string().min(1).max(512), keepImage: z.boolean().optional() })
  .strict();

/** `volsnap pull`; `volume` names the one volume of a vackup/extension image (`/volume-data`). */
export const PullInput = z
  .object({
    reference: z.string().min(1).max(512),
    name: z.string().min(1).max(SNAPSHOT_NAME_MAX).optional(),
    workload: workloadRef.optional(),
    volume: z.string().min(1).max(255).optional(),
    allowSpecialFiles: z.boolean().optional(),
    keepImage: z.boolean().optional(),
  })
  .strict();

/** The app's Import… of a .volsnap bundle (the file comes from a dialog or an upload, never from here). */
export const ImportInput = z
  .object({
    name: z.string().min(1).max(SNAPSHOT_NAME_MAX).optional(),
    workload: workloadRef.optional(),
    allowSpecialFiles: z.boolean().optional(),
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

/** Snapshot volume names a restore (or its preview) is limited to; all volumes when absent. */
const volumeNames = z.array(z.string().min(1).max(255)).min(1).max(100).optional();

const SnapshotFileInput = z
  .object({ snapshot: ref, volume: z.string().min(1).max(255).optional(), path: z.string().min(1).max(4096) })
  .strict();

/** Into new volumes: one snapshot volume (`volume` + `to`), or every one with a name suffix. */
export const CloneInput = z
  .object({
    snapshot: ref,
    volume: z.string().min(1).max(255).optional(),
    to: z.string().min(1).max(255).optional(),
    suffix: z.string().min(1).max(100).optional(),
  })
  .strict();

export const RestoreInput = z
  .object({
    snapshot: ref,
    confirm: z.string().max(200),
    safetySnapshot: z.boolean().default(true),
    volumes: volumeNames,
  })
  .strict();

/**
 * A native context menu (desktop only): items by id, label and enabled flag, nothing else (no roles,
 * accelerators, submenus or click code), so a page cannot make main's menu do more than choose.
 */
export const ContextMenuInput = z
  .object({
    items: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'use a short lowercase id'),
            label: z
              .string()
              .min(1)
              .max(80)
              .regex(/^[^\p{Cc}]+$/u, 'a label is one line of text'),
            enabled: z.boolean(),
          })
          .strict(),
      )
      .min(1)
      .max(24)
      .refine((items) => new Set(items.map((i) => i.id)).size === items.length, 'menu item ids must be unique'),
    /** Where to open it, in the window's CSS pixels; at the pointer when absent. */
    at: z
      .object({ x: z.number().int().min(0).max(100_000), y: z.number().int().min(0).max(100_000) })
      .strict()
      .optional(),
  })
  .strict();

/** A schedule's period: a minute (the scheduler's tick) up to a year. */
const MAX_EVERY = 366 * 86_400;

export const ScheduleInput = z
  .object({
    workload: workloadRef,
    rule: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('every'), seconds: z.number().int().min(60).max(MAX_EVERY) }).strict(),
        z
          .object({ kind: z.literal('daily'), at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM, 24-hour') })
          .strict(),
      ])
      .nullable(),
  })
  .strict();

export const contract = {
  engineStatus: command<EngineStatus>()('engine:status', noInput),
  /** Every engine the host could use, each asked for its status (what `volsnap engines` lists). */
  listEngines: command<EngineCandidate[]>()('engines:list', noInput),
  /** Switches the host to one of `listEngines` and remembers it (the `engine` setting); `Conflict` while a job runs. */
  switchEngine: command<EngineStatus>()(
    'engines:switch',
    z.object({ name: z.string().min(1).max(500), endpoint: z.string().min(1).max(2000) }).strict(),
  ),
  listWorkloads: command<Workload[]>()('workloads:list', z.object({ showAnonymous: z.boolean().optional() }).strict()),
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
  /** The store's size, what deduplication saves, what deleting each snapshot or workload frees, free disk. */
  storeUsage: command<StoreUsage>()('store:usage', noInput),
  diffSnapshot: command<DiffResult>()('diff:run', DiffInput),
  diffFile: command<FileDiff>()('diff:file', FileDiffInput),
  /** Every snapshot in the store, of every engine and workload (removed ones too). */
  listAllSnapshots: command<StoreSnapshots>()('snapshots:list-all', noInput),
  /** A folder of a snapshot volume (or, with `search`, entries by name; the volumes when there are several). */
  listSnapshotFiles: command<SnapshotFileListing>()(
    'files:list',
    z
      .object({
        snapshot: ref,
        volume: z.string().min(1).max(255).optional(),
        path: z.string().max(4096).optional(),
        search: z.string().max(200).optional(),
      })
      .strict(),
  ),
  /** A bounded preview of one file (text when small and text-like). */
  readSnapshotFile: command<SnapshotFilePreview>()('files:read', SnapshotFileInput),
  /** Desktop only: "Save as…" a file as itself or a folder as a .tar, through the native dialog. */
  saveSnapshotFile: command<{ savedTo: string | null }>()('files:save', SnapshotFileInput),
  previewRestore: command<RestorePlan>()('restore:preview', z.object({ snapshot: ref, volumes: volumeNames }).strict()),
  restoreSnapshot: command<{ jobId: string }>()('restore:start', RestoreInput),
  cloneSnapshot: command<{ jobId: string }>()('restore:clone', CloneInput),
  pushSnapshot: command<{ jobId: string }>()('registry:push', PushInput),
  pullSnapshot: command<{ jobId: string }>()('registry:pull', PullInput),
  /** Desktop only: Export… to a .volsnap file chosen in the save dialog; `jobId` null when cancelled (the browser downloads). */
  exportSnapshot: command<{ jobId: string | null; file: string | null }>()(
    'bundles:export',
    z.object({ snapshot: ref }).strict(),
  ),
  /** Desktop only: Import… a .volsnap file chosen in the open dialog; `jobId` null when cancelled (the browser uploads). */
  importBundle: command<{ jobId: string | null }>()('bundles:import', ImportInput),
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
  listSchedules: command<Schedule[]>()('schedules:list', noInput),
  /** `rule: null` removes the workload's schedule; the answer is then null. */
  setSchedule: command<Schedule | null>()('schedules:set', ScheduleInput),
  /** Desktop only: opens a native context menu; `chosen` is the picked item's id, null when dismissed. */
  showContextMenu: command<{ chosen: string | null }>()('menu:context', ContextMenuInput),
} as const;

export type Contract = typeof contract;
export type CommandName = keyof Contract;
export type InputOf<K extends CommandName> = Contract[K] extends CommandDef<string, infer I, unknown> ? I : never;
export type OutputOf<K extends CommandName> = Contract[K] extends CommandDef<string, unknown, infer O> ? O : never;

export interface EngineStatus {
  ok: boolean;
  /** The name the user knows the engine by (a Docker context, `default`, `DOCKER_HOST`, a desktop product). */
  name: string;
  endpoint: string;
  version: string | null;
  /** Why the engine cannot be reached, written for the user. */
  message: string | null;
}

/** One engine the host could use, with its status: a row of `volsnap engines --json`. */
export interface EngineCandidate {
  name: string;
  /** Empty when the engine cannot even be located (a context that is missing or unreadable). */
  endpoint: string;
  source: 'flag' | 'env' | 'setting' | 'context' | 'default' | 'probe';
  current: boolean;
  reachable: boolean;
  version: string | null;
  engineId: string | null;
  /** Why it cannot be reached or used, written for the user. */
  error: string | null;
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
  /** The host now talks to another engine: every list may have changed. */
  'engine:changed': { name: string; endpoint: string };
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
