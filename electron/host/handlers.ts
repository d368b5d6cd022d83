import type { z } from 'zod';
import { currentEngine, engineEndpoint, engineError, engineVersion } from '../docker/engine';
import { listEngineCandidates } from '../docker/engine-candidates';
import type { EngineControl } from './engine-switch';
import type { Services } from '../services';
import { exportWithDialog, importWithDialog } from './bundle-files';
import { saveSnapshotEntry } from './save-as';
import { showContextMenu } from './native-menu';
import { startPull } from '../services/registry/pull';
import { startPush } from '../services/registry/push';
import {
  COMMAND_NAMES,
  contract,
  type CommandName,
  type EngineStatus,
  type InputOf,
  type OutputOf,
} from '../../shared/contract';
import { VolsnapError, toErrorData, type Result } from '../../shared/errors';
import { explainDiskFull } from '../store/disk-full';

/** One async function per contract command; each parses its own (untrusted) input. */
export type Handlers = { [K in CommandName]: (input: unknown) => Promise<OutputOf<K>> };

type Implementations = { [K in CommandName]: (input: InputOf<K>) => Promise<OutputOf<K>> };

/**
 * Builds the handlers every host (Electron IPC, web host) exposes, over one set of services.
 * `engines` (the host's ServicesHolder) lets the engine commands list and switch engines; without
 * it the engines are listed and a switch is refused.
 */
export function createHandlers(services: Services, engines?: EngineControl): Handlers {
  const impl = implementations(services, engines);
  const handlers = {} as Record<CommandName, (input: unknown) => Promise<unknown>>;
  for (const name of COMMAND_NAMES) {
    const run = impl[name] as (input: unknown) => Promise<unknown>;
    handlers[name] = async (input) => {
      try {
        return await run(parseInput(name, input));
      } catch (error) {
        // SQLite's bare "database or disk is full": say which disk, that nothing was lost, what still works.
        throw explainDiskFull(error, services.dataDir, 'app');
      }
    };
  }
  return handlers as Handlers;
}

/**
 * Runs the command called `name` (a string from the wire) and returns its result envelope; an
 * unknown name or a thrown error becomes `{ ok: false, error }`, never an exception.
 */
export async function invokeCommand(handlers: Handlers, name: string, input: unknown): Promise<Result<unknown>> {
  if (!isCommandName(name)) {
    return { ok: false, error: { kind: 'InvalidInput', message: `Unknown command "${name}".` } };
  }
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(input) };
  } catch (error) {
    return { ok: false, error: toErrorData(error) };
  }
}

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** Parses `input` with the command's zod schema; `InvalidInput` with zod's reasons otherwise. */
export function parseInput<K extends CommandName>(name: K, input: unknown): InputOf<K> {
  const schema = contract[name].input as z.ZodType<InputOf<K>>;
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const reasons = parsed.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  throw new VolsnapError('InvalidInput', `Invalid input for ${contract[name].name}: ${reasons}.`);
}

function implementations(services: Services, engines: EngineControl | undefined): Implementations {
  // What gives space back (and export, which saves a snapshot elsewhere before it is deleted) may
  // use the store's space reserve when the disk is full (space-reserve.ts).
  const freeingSpace = <T>(run: () => Promise<T>): Promise<T> => {
    services.reserve.releaseIfFull();
    return run();
  };
  return {
    engineStatus: () => engineStatus(services, engines),
    listEngines: () => engines?.candidates() ?? listEngineCandidates(),
    switchEngine: async (choice) => {
      if (!engines) throw new VolsnapError('Unsupported', 'This host cannot switch engines.');
      await engines.switchTo(choice);
      // The new engine answers through the new services: ask them, not the ones this handler closed over.
      return engineStatusOf(engines);
    },
    // Discovery asks the connected engine; the sizes and last-snapshot dates count only its snapshots.
    listWorkloads: async ({ showAnonymous }) =>
      services.workloads.list((await services.engines.current()).engine?.id, { showAnonymous }),
    // Only the connected engine's snapshots (and those from before engines were recorded), as `volsnap list`.
    listSnapshots: async ({ workloadId }) =>
      (await services.engines.filter(services.snapshots.list(workloadId))).snapshots,
    showSnapshot: async ({ snapshot }) => services.snapshots.show(snapshot),
    captureWorkload: async (input) => {
      const handle = await services.capture.start({ ...input, trigger: input.trigger ?? 'manual' });
      return { jobId: handle.jobId };
    },
    updateSnapshot: async ({ snapshot, ...fields }) => services.snapshots.update(snapshot, fields),
    deleteSnapshot: ({ snapshot, confirm, force }) =>
      freeingSpace(() => services.snapshots.delete(snapshot, { confirm, force })),
    verifySnapshot: ({ snapshot }) => services.snapshots.verify(snapshot),
    pruneSnapshots: () => freeingSpace(() => services.retention.prune()),
    storeUsage: () => services.usage.report(),
    diffSnapshot: (input) => services.diff.diff(input),
    diffFile: (input) => services.diff.fileDiff(input),
    listAllSnapshots: async () => {
      const snapshots = services.snapshots.list();
      const { view } = await services.engines.filter(snapshots);
      return { snapshots, engineId: view.engine?.id ?? null };
    },
    listSnapshotFiles: async (input) => services.snapshotFiles.list(input),
    readSnapshotFile: (input) => services.snapshotFiles.preview(input),
    saveSnapshotFile: (input) => saveSnapshotEntry(services, input),
    previewRestore: ({ snapshot, volumes }) => services.restore.preview(snapshot, volumes),
    restoreSnapshot: async (input) => ({ jobId: (await services.restore.start(input)).jobId }),
    cloneSnapshot: async (input) => ({ jobId: (await services.clone.start(input)).jobId }),
    pushSnapshot: async (input) => ({ jobId: (await startPush(services, input)).jobId }),
    pullSnapshot: async (input) => ({ jobId: (await startPull(services, input)).jobId }),
    exportSnapshot: (input) => freeingSpace(() => exportWithDialog(services, input)),
    importBundle: (input) => importWithDialog(services, input),
    listJobs: async () => services.jobs.recent(),
    cancelJob: async ({ jobId }) => {
      services.jobs.cancel(jobId);
      return null;
    },
    appInfo: async () => ({ dataDir: services.dataDir }),
    getSettings: async () => services.settings.all(),
    setSetting: async ({ key, value }) => {
      services.settings.set(key, value);
      return services.settings.all();
    },
    listSchedules: () => services.schedules.list(),
    setSchedule: ({ workload, rule }) => services.schedules.set(workload, rule),
    showContextMenu: (input) => showContextMenu(input),
  };
}

/** Pings the engine; a down engine is a normal answer (`ok: false` with the reason), not an error. */
async function engineStatus(services: Pick<Services, 'docker'>, engines?: EngineControl): Promise<EngineStatus> {
  const target = engines?.target() ?? currentEngine();
  const endpoint = target?.endpoint ?? engineEndpoint();
  const name = target?.name ?? (process.env.DOCKER_HOST ? 'DOCKER_HOST' : 'default');
  try {
    return { ok: true, name, endpoint, version: await engineVersion(services.docker), message: null };
  } catch (error) {
    const message = engineError(error, 'reach the engine', endpoint, target?.tls).message;
    return { ok: false, name, endpoint, version: null, message };
  }
}

function engineStatusOf(engines: EngineControl & { current: Services }): Promise<EngineStatus> {
  return engineStatus(engines.current, engines);
}
