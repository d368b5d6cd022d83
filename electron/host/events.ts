import type { EngineClient as Docker } from '../docker/engine';
import type { Services } from '../services';
import type { JobRunner } from '../services/jobs';
import type { CatalogWatch } from '../store/catalog-watch';
import type { EventMap, EventName } from '../../shared/contract';
import type { Job } from '../../shared/types';

/** How a host delivers one event to its renderer(s). */
export type EmitEvent = <E extends EventName>(event: E, payload: EventMap[E]) => void;

/** Container and volume events arrive in bursts (a compose up); one refetch per burst is enough. */
const WORKLOAD_COALESCE_MS = 500;
const RECONNECT_MS = 2_000;
/** The CLI writes the same catalog from another process; we notice its changes this often. */
const CATALOG_POLL_MS = 2_000;

/**
 * Wires the services' events to `emit`: job progress and changes, snapshot list changes (ours and
 * other processes'), workload changes from the Docker events stream. Returns the unsubscribe.
 */
export function bridgeEvents(services: Services, emit: EmitEvent): () => void {
  const stops = [
    services.jobs.progressEvents.on((progress) => emit('jobs:progress', progress)),
    services.jobs.startedEvents.on((job) => emit('jobs:changed', job)),
    services.jobs.finishedEvents.on((job) => emit('jobs:changed', job)),
    services.snapshots.changed.on((change) => emit('snapshots:list-changed', change)),
    watchDockerEvents(services.docker, () => emit('workloads:list-changed', {})),
    watchCatalog(services.catalogWatch, (workloadId) => emit('snapshots:list-changed', { workloadId })),
    watchOtherJobs(services.catalogWatch, services.jobs, (job) => emit('jobs:changed', job)),
  ];
  return () => stops.forEach((stop) => stop());
}

/**
 * Follows the Engine's container and volume events, coalescing each burst into one `onChange`;
 * reconnects when the stream ends or the engine is down (and signals a change then, since events
 * may have been missed).
 */
export function watchDockerEvents(docker: Docker, onChange: () => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stream: NodeJS.ReadableStream | undefined;
  const changed = () => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) onChange();
    }, WORKLOAD_COALESCE_MS);
  };
  const reconnect = (missed: boolean) => {
    stream = undefined;
    if (stopped || retry) return;
    if (missed) changed();
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, RECONNECT_MS);
  };
  const connect = async () => {
    try {
      const events = await docker.getEvents({ filters: { type: ['container', 'volume'] } });
      if (stopped) return destroy(events);
      stream = events;
      events.on('data', changed);
      events.once('end', () => reconnect(true));
      events.once('error', () => reconnect(true));
    } catch {
      reconnect(false);
    }
  };
  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(retry);
    if (stream) destroy(stream);
  };
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}

/**
 * Notices snapshot changes made by other processes (the CLI): a per-workload fingerprint of the
 * snapshot rows, recomputed only when SQLite's `data_version` says another connection committed
 * (our own writes already fire `snapshots.changed`).
 */
export function watchCatalog(
  watch: CatalogWatch,
  onChange: (workloadId: string) => void,
  intervalMs = CATALOG_POLL_MS,
): () => void {
  let version = watch.dataVersion();
  let prints = watch.snapshotFingerprints();
  const timer = setInterval(() => {
    try {
      const now = watch.dataVersion();
      if (now === version) return;
      version = now;
      const next = watch.snapshotFingerprints();
      for (const workloadId of new Set([...prints.keys(), ...next.keys()])) {
        if (prints.get(workloadId) !== next.get(workloadId)) onChange(workloadId);
      }
      prints = next;
    } catch {
      // The database is closing or busy; the next tick tries again.
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Notices jobs of other processes (the CLI, another window's host): a job that appears, changes
 * phase, makes progress (saved about once a second) or ends there is passed to `onChange`, so the
 * Jobs screen shows it and its bar without a reload. Our
 * own jobs already fire their events.
 */
export function watchOtherJobs(
  watch: CatalogWatch,
  jobs: Pick<JobRunner, 'recent' | 'startedEvents'>,
  onChange: (job: Job) => void,
  intervalMs = CATALOG_POLL_MS,
): () => void {
  const print = (job: Job) => `${job.status}|${job.phase}|${job.finishedAt ?? ''}|${job.progress?.bytesDone ?? ''}`;
  let version = watch.dataVersion();
  let seen = new Map(jobs.recent().map((job) => [job.id, print(job)]));
  const ours = new Set<string>();
  const stopOurs = jobs.startedEvents.on((job) => ours.add(job.id));
  const timer = setInterval(() => {
    try {
      const now = watch.dataVersion();
      if (now === version) return;
      version = now;
      const next = new Map<string, string>();
      for (const job of jobs.recent()) {
        next.set(job.id, print(job));
        if (!ours.has(job.id) && seen.get(job.id) !== print(job)) onChange(job);
      }
      seen = next;
    } catch {
      // The database is closing or busy; the next tick tries again.
    }
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopOurs();
  };
}
