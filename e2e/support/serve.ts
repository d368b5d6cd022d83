import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The private engine every e2e run uses (started by the project's test scripts). */
export const DOCKER_HOST = process.env.VOLSNAP_E2E_DOCKER_HOST ?? 'unix:///tmp/volsnap-engine/docker.sock';
const CLI = path.resolve('bin/volsnap.cjs');

export interface Served {
  url: string;
  port: number;
  token: string;
  origin: string;
  /** Every line the server wrote to stderr (debug lines such as the loop delay). */
  stderr: string[];
  stop(): Promise<void>;
}

/** Starts `volsnap serve --json` on a data dir and resolves once it printed its URL. */
export async function startServe(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  if (!existsSync('dist/renderer/index.html')) throw new Error('Run `npm run build` before the e2e tests.');
  const child = spawn(process.execPath, [CLI, 'serve', '--json', '--data-dir', dataDir], {
    env: { ...process.env, DOCKER_HOST, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const first = await firstLine(child, stderr);
  const { url, port, token } = JSON.parse(first) as { url: string; port: number; token: string };
  return { url, port, token, origin: `http://127.0.0.1:${port}`, stderr, stop: () => stop(child) };
}

function firstLine(child: ChildProcess, stderr: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`volsnap serve exited (${code}): ${stderr.join('\n')}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs the built CLI (as a user in another terminal would) and returns its parsed --json output. */
export function cli(dataDir: string, args: string[]): unknown {
  const run = spawnSync(process.execPath, [CLI, '--json', '--data-dir', dataDir, ...args], {
    env: { ...process.env, DOCKER_HOST },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`volsnap ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown;
}
