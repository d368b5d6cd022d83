import type Docker from 'dockerode';

/**
 * Container lifecycle calls for the services (quiesce, restore). They reject with dockerode's own
 * error, its `statusCode` intact: the callers decide which statuses mean "already so" (304, 409)
 * or "gone" (404), and wrap the rest with `engineError`.
 */

/** A container's restart policy as Docker reports it (Name may be empty: "no"). */
export interface RestartPolicy {
  Name?: string;
  MaximumRetryCount?: number;
}

export interface ContainerState {
  running: boolean;
  paused: boolean;
  restartPolicy: RestartPolicy | undefined;
}

export async function inspectContainerState(docker: Docker, id: string): Promise<ContainerState> {
  const info = await docker.getContainer(id).inspect();
  return { running: info.State.Running, paused: info.State.Paused, restartPolicy: info.HostConfig.RestartPolicy };
}

export function setRestartPolicy(
  docker: Docker,
  id: string,
  policy: { Name: string; MaximumRetryCount: number },
): Promise<unknown> {
  return docker.getContainer(id).update({ RestartPolicy: policy });
}

export function stopContainer(docker: Docker, id: string): Promise<unknown> {
  return docker.getContainer(id).stop();
}

export function startContainer(docker: Docker, id: string): Promise<unknown> {
  return docker.getContainer(id).start();
}

export function pauseContainer(docker: Docker, id: string): Promise<unknown> {
  return docker.getContainer(id).pause();
}

export function unpauseContainer(docker: Docker, id: string): Promise<unknown> {
  return docker.getContainer(id).unpause();
}
