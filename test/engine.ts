import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { HELPER_LABEL } from '../electron/docker/workloads';

/** Test helpers over the private engine that test/global-setup.ts started. */

export const engineTestsSkipped = process.env.VOLSNAP_SKIP_ENGINE_TESTS === '1';
/** `describe` for tests that need the engine: skipped only on an explicit VOLSNAP_SKIP_ENGINE_TESTS=1. */
export const describeEngine = engineTestsSkipped ? describe.skip : describe;

const TEST_LABEL = 'io.volsnap.test';

export function testDocker(): Docker {
  const host = process.env.DOCKER_HOST;
  if (!host?.includes('volsnap-engine') && !process.env.VOLSNAP_ENGINE_ROOT) {
    throw new Error(`refusing to test against ${host ?? 'the default engine'}: tests only use the private engine`);
  }
  return new Docker({ socketPath: host!.replace(/^unix:\/\//, '') });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function tempDir(prefix = 'volsnap-test-'): { path: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a shell script in a throwaway busybox container with the given volumes mounted; returns stdout. */
export async function runScript(docker: Docker, binds: string[], script: string): Promise<string> {
  const container = await docker.createContainer({
    Image: 'busybox:latest',
    Cmd: ['sh', '-c', script],
    Labels: { [TEST_LABEL]: '1' },
    HostConfig: { NetworkMode: 'none', Binds: binds },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = await container.logs({ stdout: true, stderr: true, follow: false });
    const text = demux(logs);
    if (StatusCode !== 0) throw new Error(`script failed (${StatusCode}): ${text.stderr}${text.stdout}`);
    return text.stdout;
  } finally {
    await container.remove({ force: true });
  }
}

/** Runs a shell command inside a running container (`docker exec`); returns its stdout. */
export async function execIn(docker: Docker, containerId: string, script: string): Promise<string> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ['sh', '-c', script],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  return demux(Buffer.concat(chunks)).stdout;
}

function demux(buffer: Buffer): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    if (stream === 2) stderr += payload;
    else stdout += payload;
    offset += 8 + size;
  }
  return { stdout, stderr };
}

export interface TreeEntry {
  path: string;
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size: number;
  sha256: string | null;
  linkTarget: string | null;
}

/**
 * The tree of a volume as busybox sees it (independent of Volsnap's own tar reading): every entry
 * with type, mode, owner, size, sha256 of files and symlink targets, sorted by path. NUL-separated
 * so names with newlines survive.
 */
export async function volumeTree(docker: Docker, volume: string): Promise<TreeEntry[]> {
  const out = await runScript(
    docker,
    [`${volume}:/v:ro`],
    `cd /v && find . -mindepth 1 -print0 | while IFS= read -r -d '' p; do
       t=$(stat -c %F "$p"); printf '%s\\0%s\\0%s\\0%s\\0%s\\0%s\\0' "$p" "$t" "$(stat -c %a "$p")" "$(stat -c %u "$p")" "$(stat -c %g "$p")" "$(stat -c %s "$p")";
       if [ "$t" = "regular file" ] || [ "$t" = "regular empty file" ]; then printf '%s\\0' "$(sha256sum < "$p" | cut -d' ' -f1)"; else printf '\\0'; fi;
       if [ -L "$p" ]; then printf '%s\\0' "$(readlink "$p")"; else printf '\\0'; fi;
     done`,
  );
  const fields = out.split('\0');
  const entries: TreeEntry[] = [];
  for (let i = 0; i + 8 <= fields.length; i += 8) {
    const [p, type, mode, uid, gid, size, sha, link] = fields.slice(i, i + 8);
    const isDir = type === 'directory';
    entries.push({
      path: p!.replace(/^\.\//, ''),
      type: type!.replace('regular empty file', 'regular file'),
      mode: mode!,
      uid: Number(uid),
      gid: Number(gid),
      size: isDir ? 0 : Number(size),
      sha256: sha || null,
      linkTarget: link || null,
    });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A standalone or compose workload made of busybox containers on the private engine. */
export interface TestWorkload {
  name: string;
  id: string;
  containers: string[];
  volumes: string[];
  remove(): Promise<void>;
}

/**
 * Creates a workload: one container per service (compose labels when `project` is set), each
 * mounting its volumes, running `sleep`. `seed` fills the volumes first (run with them at /seed/<volume>).
 */
export async function createWorkload(
  docker: Docker,
  options: {
    project?: string;
    services: {
      name: string;
      volumes: { volume: string; destination: string }[];
      binds?: string[];
      restart?: string;
    }[];
    seed?: string;
    start?: boolean;
  },
): Promise<TestWorkload> {
  const volumes = [...new Set(options.services.flatMap((s) => s.volumes.map((v) => v.volume)))];
  for (const v of volumes) await docker.createVolume({ Name: v, Labels: { [TEST_LABEL]: '1' } });
  if (options.seed)
    await runScript(
      docker,
      volumes.map((v) => `${v}:/seed/${v}`),
      options.seed,
    );
  const containers: string[] = [];
  for (const service of options.services) {
    const name = options.project ? `${options.project}-${service.name}-1` : service.name;
    const labels: Record<string, string> = { [TEST_LABEL]: '1' };
    if (options.project) {
      labels['com.docker.compose.project'] = options.project;
      labels['com.docker.compose.service'] = service.name;
    }
    const container = await docker.createContainer({
      name,
      Image: 'busybox:latest',
      Cmd: ['sleep', '1000000'],
      Labels: labels,
      StopSignal: 'SIGKILL',
      HostConfig: {
        NetworkMode: 'none',
        Binds: [...service.volumes.map((v) => `${v.volume}:${v.destination}`), ...(service.binds ?? [])],
        RestartPolicy: { Name: service.restart ?? 'no' },
      },
    });
    if (options.start !== false) await container.start();
    containers.push(name);
  }
  return {
    name: options.project ?? containers[0]!,
    id: options.project ? `compose:${options.project}` : `container:${containers[0]}`,
    containers,
    volumes,
    remove: async () => {
      for (const c of containers)
        await docker
          .getContainer(c)
          .remove({ force: true })
          .catch(() => undefined);
      for (const v of volumes)
        await docker
          .getVolume(v)
          .remove({ force: true })
          .catch(() => undefined);
    },
  };
}

/**
 * The helpers (`which` of those labelled as Volsnap's) still there once none is, or after 15 s, by
 * id: a released helper ends by itself and the Engine removes it, so a test waits for that.
 */
export async function helpersLeft(docker: Docker, which: (helper: Docker.ContainerInfo) => boolean): Promise<string[]> {
  for (let waited = 0; ; waited += 100) {
    const left = (await docker.listContainers({ all: true, filters: { label: [HELPER_LABEL] } })).filter(which);
    if (left.length === 0 || waited >= 15_000) return left.map((helper) => helper.Id.slice(0, 12));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function containerState(docker: Docker, name: string): Promise<{ status: string; restartPolicy: string }> {
  const info = await docker.getContainer(name).inspect();
  return { status: info.State.Status, restartPolicy: info.HostConfig.RestartPolicy?.Name || 'no' };
}
