import type Docker from 'dockerode';
import { engineCall } from './engine';

/** Docker waits this long for a container to stop before it kills it, unless the container says otherwise. */
export const DEFAULT_STOP_TIMEOUT_S = 10;

/** Each container's stop timeout in seconds (its `StopTimeout`, else Docker's default); by container id. */
export async function stopTimeouts(docker: Docker, containerIds: string[]): Promise<Map<string, number>> {
  const entries = await Promise.all(
    containerIds.map(async (id) => {
      const info = await engineCall('inspect a container', () => docker.getContainer(id).inspect()).catch(() => null);
      const seconds = (info?.Config as { StopTimeout?: number } | undefined)?.StopTimeout;
      return [id, typeof seconds === 'number' && seconds >= 0 ? seconds : DEFAULT_STOP_TIMEOUT_S] as const;
    }),
  );
  return new Map(entries);
}
