import type { z } from 'zod';
import { engineEndpoint, engineError, engineVersion } from '../docker/engine';
import type { Services } from '../services';
import {
  COMMAND_NAMES,
  contract,
  type CommandName,
  type EngineStatus,
  type InputOf,
  type OutputOf,
} from '../../shared/contract';
import { VolsnapError, toErrorData, type Result } from '../../shared/errors';

/** One async function per contract command; each parses its own (untrusted) input. */
export type Handlers = { [K in CommandName]: (input: unknown) => Promise<OutputOf<K>> };

type Implementations = { [K in CommandName]: (input: InputOf<K>) => Promise<OutputOf<K>> };

/** Builds the handlers every host (Electron IPC, web host) exposes, over one set of services. */
export function createHandlers(services: Services): Handlers {
  const impl = implementations(services);
  const handlers = {} as Record<CommandName, (input: unknown) => Promise<unknown>>;
  for (const name of COMMAND_NAMES) {
    const run = impl[name] as (input: unknown) => Promise<unknown>;
    handlers[name] = async (input) => run(parseInput(name, input));
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

function implementations(services: Services): Implementations {
  return {
    engineStatus: () => engineStatus(services),
    listWorkloads: () => services.workloads.list(),
    listSnapshots: async ({ workloadId }) => services.snapshots.list(workloadId),
    showSnapshot: async ({ snapshot }) => services.snapshots.show(snapshot),
    captureWorkload: async (input) => {
      const handle = await services.capture.start({ ...input, trigger: input.trigger ?? 'manual' });
      return { jobId: handle.jobId };
    },
    updateSnapshot: async ({ snapshot, ...fields }) => services.snapshots.update(snapshot, fields),
    deleteSnapshot: ({ snapshot, confirm, force }) => services.snapshots.delete(snapshot, { confirm, force }),
    verifySnapshot: ({ snapshot }) => services.snapshots.verify(snapshot),
    pruneSnapshots: () => services.retention.prune(),
    diffSnapshot: (input) => services.diff.diff(input),
    diffFile: (input) => services.diff.fileDiff(input),
    previewRestore: ({ snapshot }) => services.restore.preview(snapshot),
    restoreSnapshot: async (input) => ({ jobId: (await services.restore.start(input)).jobId }),
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
  };
}

/** Pings the engine; a down engine is a normal answer (`ok: false` with the reason), not an error. */
async function engineStatus(services: Services): Promise<EngineStatus> {
  const endpoint = engineEndpoint();
  try {
    return { ok: true, endpoint, version: await engineVersion(services.docker), message: null };
  } catch (error) {
    return { ok: false, endpoint, version: null, message: engineError(error, 'reach the engine').message };
  }
}
