import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Starts the private test engine (scripts/test-engine.sh) and points every test at it. Tests never
 * use the user's own DOCKER_HOST. Set VOLSNAP_SKIP_ENGINE_TESTS=1 to run only the tests that need
 * no engine (they say so loudly); CI never sets it.
 */
export default function setup(): () => void {
  if (process.env.VOLSNAP_SKIP_ENGINE_TESTS === '1') {
    console.warn('\n!!! VOLSNAP_SKIP_ENGINE_TESTS=1: tests that need a Docker Engine are SKIPPED !!!\n');
    return () => undefined;
  }
  const root = process.env.VOLSNAP_ENGINE_ROOT ?? '/tmp/volsnap-engine';
  const script = path.resolve('scripts/test-engine.sh');
  const env = { ...process.env, VOLSNAP_ENGINE_ROOT: root };
  const wasRunning = engineUp(env);
  try {
    execFileSync('bash', [script, 'start'], { env, stdio: 'inherit' });
  } catch {
    throw new Error(
      "The private test engine did not start. It needs root and Debian's docker.io and busybox-static " +
        '(scripts/install-deps.sh installs them). Or set VOLSNAP_SKIP_ENGINE_TESTS=1 to run only engine-free tests.',
    );
  }
  process.env.DOCKER_HOST = `unix://${root}/docker.sock`;
  process.env.VOLSNAP_ENGINE_ROOT = root;
  // Leave an engine that was already running (another test run, a developer's session) alone.
  return () => {
    if (!wasRunning && process.env.VOLSNAP_KEEP_ENGINE !== '1')
      execFileSync('bash', [script, 'stop'], { env, stdio: 'inherit' });
  };
}

function engineUp(env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync('bash', ['-c', `DOCKER_HOST=unix://${env.VOLSNAP_ENGINE_ROOT}/docker.sock docker info`], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}
