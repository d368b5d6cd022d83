import type Docker from 'dockerode';
import type { CaptureMode } from '../../shared/types';
import type { DiscoveredContainer } from '../docker/workloads';
import { engineCall } from '../docker/engine';

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
    const container = docker.getContainer(c.id);
    await engineCall(`${mode} container ${c.name}`, () => (mode === 'pause' ? container.pause() : container.stop()));
  }
}

/** Undoes `quiesce`: every container is resumed even if another one fails; errors are returned. */
export async function resume(docker: Docker, records: QuiesceRecord[]): Promise<Error[]> {
  const errors: Error[] = [];
  for (const { containerId, action } of records) {
    const container = docker.getContainer(containerId);
    try {
      if (action === 'paused') await container.unpause();
      else await container.start();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 404: removed meanwhile; 304/409: already running or not paused. Nothing left to undo.
      if (status !== 404 && status !== 304 && status !== 409) errors.push(error as Error);
    }
  }
  return errors;
}
