import type { EngineClient as Docker } from '../docker/engine';
import type { CaptureMode } from '../../shared/types';
import type { DiscoveredContainer } from '../docker/workloads';
import { pauseContainer, startContainer, stopContainer, unpauseContainer } from '../docker/container-lifecycle';
import { engineCall } from '../docker/engine';
import type { QuiescedTable } from '../store/quiesced-table';
import { VolsnapError } from '../../shared/errors';

/** What a capture did to the workload, so it can be undone (also by the crash sweep). */
export interface QuiesceRecord {
  containerId: string;
  action: 'paused' | 'stopped';
}

/**
 * Freezes (pause) or stops (stop) the workload's running containers for a consistent capture.
 * `record` is called before each container is touched, so a crash leaves a note to undo it.
 */
export async function quiesce(
  docker: Docker,
  containers: DiscoveredContainer[],
  mode: CaptureMode,
  record: (entry: QuiesceRecord) => void,
): Promise<void> {
  if (mode === 'live') return;
  const running = containers.filter((c) => c.state === 'running');
  for (const c of running) {
    const entry: QuiesceRecord = { containerId: c.id, action: mode === 'pause' ? 'paused' : 'stopped' };
    record(entry);
    await engineCall(`${mode} container ${c.name}`, () =>
      mode === 'pause' ? pauseContainer(docker, c.id) : stopContainer(docker, c.id),
    );
  }
}

/** Undoes `quiesce`: every container is resumed even if another one fails; errors are returned. */
export async function resume(docker: Docker, records: QuiesceRecord[]): Promise<Error[]> {
  const errors: Error[] = [];
  for (const { containerId, action } of records) {
    try {
      if (action === 'paused') await unpauseContainer(docker, containerId);
      else await startContainer(docker, containerId);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 404: removed meanwhile; 304/409: already running or not paused. Nothing left to undo.
      if (status !== 404 && status !== 304 && status !== 409) errors.push(error as Error);
    }
  }
  return errors;
}

/** The pause/resume window shared by capture and live diff. */
export interface QuiesceWindow {
  docker: Docker;
  table: QuiescedTable;
  jobId: string;
  containers: DiscoveredContainer[];
  mode: CaptureMode;
  /** Names the job in the error when a container cannot be resumed ("capture", "diff"). */
  what: string;
  /** Called before resuming, only when something was paused or stopped. */
  onResume: () => void;
}

/**
 * Runs `work` with the workload quiesced and always resumes it. Each container is noted in the
 * `quiesced` table before it is touched; the note is cleared only once every container runs again,
 * else the next start's sweep retries. A failed resume is thrown only when `work` succeeded.
 */
export async function withQuiesced<T>(w: QuiesceWindow, work: () => Promise<T>): Promise<T> {
  // Filled as each container is touched, so a pause that fails half-way is still undone.
  const records: QuiesceRecord[] = [];
  let resumeErrors: Error[] = [];
  let result: T;
  try {
    await quiesce(w.docker, w.containers, w.mode, (r) => {
      records.push(r);
      w.table.note({ jobId: w.jobId, ...r });
    });
    result = await work();
  } finally {
    if (records.length > 0) w.onResume();
    resumeErrors = await resume(w.docker, records);
    if (resumeErrors.length === 0) w.table.clear(w.jobId);
  }
  if (resumeErrors.length > 0) {
    throw new VolsnapError(
      'Internal',
      `Could not resume every container after the ${w.what}: ${resumeErrors.map((e) => e.message).join('; ')}. Volsnap retries at its next start; check them with docker ps.`,
    );
  }
  return result;
}
