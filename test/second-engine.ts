import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * A second private dockerd for tests that need two engines (engine A is the shared private test
 * engine). Each test file passes its own root, so files running at the same time never share one.
 */
export interface SecondEngine {
  root: string;
  /** `unix:///…/docker.sock` */
  endpoint: string;
  docker: Docker;
}

/** Starts the dockerd under `root` (scripts/test-engine.sh, which also imports busybox:latest). */
export function startSecondEngine(root: string): SecondEngine {
  execFileSync('bash', ['scripts/test-engine.sh', 'start'], {
    env: { ...process.env, VOLSNAP_ENGINE_ROOT: root },
    stdio: 'ignore',
  });
  const socket = path.join(root, 'docker.sock');
  return { root, endpoint: `unix://${socket}`, docker: new Docker({ socketPath: socket }) };
}

/**
 * Stops the dockerd started under `root` (by its pid, never by name) and removes its root, unless
 * `keep` (to start the same engine again: same id, volumes and containers).
 */
export function stopSecondEngine(root: string, options: { keep?: boolean } = {}): void {
  const pidFile = path.join(root, 'docker.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    execFileSync('sleep', ['0.1']);
  }
  if (!options.keep) rmSync(root, { recursive: true, force: true });
}
