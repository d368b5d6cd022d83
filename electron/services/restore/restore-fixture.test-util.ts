import type Docker from 'dockerode';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createServices, type Services } from '../index';
import {
  containerState,
  createWorkload,
  helpersLeft,
  runScript,
  tempDir,
  uniqueName,
  volumeTree,
  type TestWorkload,
  type TreeEntry,
} from '../../../test/engine';

/** Shared by the restore tests: a compose workload, its snapshot, and how to reset and check it. */

const CLI = path.resolve('bin/volsnap.cjs');

/** Snapshot contents: volume A has many top-level entries (every rename is a crash point). */
const SNAP_SEED = `
  a=/seed/$A; b=/seed/$B
  mkdir -p $a/dir/sub $a/.cache; echo one > $a/one; echo two > $a/two; echo hidden > $a/.hidden
  printf 'deep' > $a/dir/sub/file; ln -s ../one $a/dir/rel; ln -s /etc/passwd $a/abs; ln $a/one $a/hard
  chown 1000:1000 $a/dir; chmod 640 $a/two; chmod 750 $a
  echo db > $b/data; mkdir $b/wal; echo w > $b/wal/0001
`;
/** The "current" contents the restore overwrites; recreated before every crash run. */
const OLD_SEED = `
  a=/seed/$A; b=/seed/$B
  for v in $a $b; do rm -rf $v/* $v/.[!.]* $v/..?*; done
  echo changed > $a/one; echo extra > $a/extra; mkdir $a/newdir; echo n > $a/newdir/n; chmod 755 $a
  echo db2 > $b/data; echo x > $b/other
`;

export interface RestoreFixture {
  docker: Docker;
  dataDir: string;
  workload: TestWorkload;
  volumes: string[];
  snapshot: { id: string; name: string };
  oldTrees: TreeEntry[][];
  snapTrees: TreeEntry[][];
  services: Services;
  resetOld(): Promise<void>;
  trees(): Promise<TreeEntry[][]>;
  cli(args: string[], env?: Record<string, string>, killAfterMs?: number): Promise<CliRun>;
  /** Containers back in their prior state and policy, no helper left on our volumes. */
  assertSettled(): Promise<string[]>;
  remove(): Promise<void>;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export async function createRestoreFixture(docker: Docker): Promise<RestoreFixture> {
  if (!existsSync(path.resolve('dist/cli.cjs'))) throw new Error('build the CLI first: node scripts/build.mjs node');
  const project = uniqueName('vsrestore');
  const [a, b] = [`${project}-a`, `${project}-b`];
  const env = `A=${a}; B=${b};`;
  const workload = await createWorkload(docker, {
    project,
    services: [
      { name: 'db', volumes: [{ volume: b, destination: '/var/lib/db' }], restart: 'always' },
      { name: 'app', volumes: [{ volume: a, destination: '/data' }], restart: 'unless-stopped' },
      { name: 'job', volumes: [], restart: 'on-failure' },
    ],
    seed: env + SNAP_SEED,
  });
  await docker.getContainer(`${project}-job-1`).stop();
  const dir = tempDir('volsnap-restore-');
  const services = createServices({ dataDir: dir.path, docker });
  const handle = await services.capture.start({ workload: workload.id, name: `${project}-snap`, mode: 'live' });
  const snap = await handle.done;
  const volumes = [a, b];
  const trees = () => Promise.all(volumes.map((v) => volumeTree(docker, v)));
  const snapTrees = await trees();
  const binds = volumes.map((v) => `${v}:/seed/${v}`);
  const resetOld = async () => {
    await runScript(docker, binds, env + OLD_SEED);
  };
  await resetOld();
  const oldTrees = await trees();
  const expected = {
    [`${project}-db-1`]: { status: 'running', restartPolicy: 'always' },
    [`${project}-app-1`]: { status: 'running', restartPolicy: 'unless-stopped' },
    [`${project}-job-1`]: { status: 'exited', restartPolicy: 'on-failure' },
  };
  return {
    docker,
    dataDir: dir.path,
    workload,
    volumes,
    snapshot: { id: snap.id, name: snap.name },
    oldTrees,
    snapTrees,
    services,
    resetOld,
    trees,
    cli: (args, extra = {}, killAfterMs) => runCli(['--data-dir', dir.path, ...args], extra, killAfterMs),
    async assertSettled() {
      const problems: string[] = [];
      for (const [name, want] of Object.entries(expected)) {
        const got = await containerState(docker, name);
        if (got.status !== want.status || got.restartPolicy !== want.restartPolicy)
          problems.push(`${name}: ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`);
      }
      // A restore returns once it released its helper, which the Engine removes once the old files' blocks are freed.
      const mountsOurs = (helper: Docker.ContainerInfo) => helper.Mounts.some((m) => volumes.includes(m.Name ?? ''));
      for (const id of await helpersLeft(docker, mountsOurs)) problems.push(`helper ${id} left`);
      return problems;
    },
    async remove() {
      services.close();
      await workload.remove();
      dir.remove();
    },
  };
}

/** Runs the built CLI in a child process; optionally SIGKILLs it after `killAfterMs`. */
export function runCli(args: string[], env: Record<string, string>, killAfterMs?: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** How the fixture's compose services mount their volumes (what `docker compose up` would recreate). */
function serviceSpec(f: RestoreFixture, service: 'app' | 'db') {
  return service === 'app'
    ? { volume: f.volumes[0]!, destination: '/data', restart: 'unless-stopped' }
    : { volume: f.volumes[1]!, destination: '/var/lib/db', restart: 'always' };
}

/**
 * Replaces a service's container as `docker compose up -d --force-recreate` would (same name,
 * labels, mount and restart policy; a new id), optionally with another command, and starts it.
 * With a TTY, its logs come back as plain text.
 */
export async function recreateService(
  f: RestoreFixture,
  service: 'app' | 'db',
  options: { cmd?: string[] } = {},
): Promise<string> {
  const name = `${f.workload.name}-${service}-1`;
  const spec = serviceSpec(f, service);
  await f.docker
    .getContainer(name)
    .remove({ force: true })
    .catch(() => undefined);
  const container = await f.docker.createContainer({
    name,
    Image: 'busybox:latest',
    Cmd: options.cmd ?? ['sleep', '1000000'],
    Tty: true,
    Labels: {
      'io.volsnap.test': '1',
      'com.docker.compose.project': f.workload.name,
      'com.docker.compose.service': service,
    },
    StopSignal: 'SIGKILL',
    HostConfig: {
      NetworkMode: 'none',
      Binds: [`${spec.volume}:${spec.destination}`],
      RestartPolicy: { Name: spec.restart },
    },
  });
  await container.start();
  return name;
}

/** Waits (at most 30 s) for the stall switch's file: the CLI has reached the stalled step. */
export async function waitForStall(file: string, run: Promise<CliRun>): Promise<void> {
  let exited: CliRun | null = null;
  void run.then((r) => (exited = r));
  for (let i = 0; i < 600 && !existsSync(file) && !exited; i++) await new Promise((r) => setTimeout(r, 50));
  if (existsSync(file)) return;
  const why = exited ? `it exited first: ${(exited as CliRun).stderr}` : 'it is still running';
  throw new Error(`the restore never reached its stalled step (${why})`);
}
