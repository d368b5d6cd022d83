import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCliSync } from '../../../test/cli';
import {
  createWorkload,
  describeEngine,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
} from '../../../test/engine';

/** The engine is down for every read: ls, cat and extract must need only the store. */
const DEAD_ENGINE = { DOCKER_HOST: 'unix:///tmp/volsnap-no-engine-here.sock', DOCKER_CONTEXT: '' };

/** The host folder as the filesystem sees it: what `extract` really wrote, nothing more. */
function hostTree(
  root: string,
): { path: string; type: string; mode: string; size: number; sha256: string | null; link: string | null }[] {
  const out: ReturnType<typeof hostTree> = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const full = path.join(root, child);
      const info = lstatSync(full);
      const type = info.isDirectory()
        ? 'directory'
        : info.isSymbolicLink()
          ? 'symbolic link'
          : info.isFile()
            ? 'regular file'
            : 'other';
      out.push({
        path: child,
        type,
        mode: (info.mode & 0o7777).toString(8),
        size: type === 'regular file' ? info.size : 0,
        sha256: type === 'regular file' ? createHash('sha256').update(readFileSync(full)).digest('hex') : null,
        link: type === 'symbolic link' ? readlinkSync(full) : null,
      });
      if (type === 'directory') walk(child);
    }
  };
  walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

describeEngine('volsnap ls / cat / extract (engine down)', () => {
  const docker = testDocker();
  const data = tempDir();
  const out = tempDir('volsnap-extract-');
  const volume = uniqueName('files');
  let app: TestWorkload;
  let snapshotId: string;
  const volsnap = (...args: string[]) => runCliSync(data.path, args, DEAD_ENGINE);

  beforeAll(async () => {
    ensureCliBuilt();
    app = await createWorkload(docker, {
      services: [{ name: uniqueName('filesapp'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && mkdir -p conf/sub other && printf 'port: 80\\n' > conf/app.yml &&
        head -c 300000 /dev/urandom > conf/sub/blob.bin && echo deep > conf/sub/x.txt &&
        echo outside > other/keep.txt && ln -s app.yml conf/current && ln other/keep.txt conf/hard.txt &&
        echo root > conf/tool && chmod 4755 conf/tool && mkfifo conf/pipe && chmod 750 conf/sub`,
    });
    const r = runCliSync(data.path, ['--json', 'capture', app.id, '--mode', 'live']);
    expect(r.code, r.stderr).toBe(0);
    snapshotId = (JSON.parse(r.stdout) as { id: string }).id;
  });
  afterAll(async () => {
    await app?.remove();
    data.remove();
    out.remove();
  });

  it('ls lists a folder with type, size, mode, owner and time, and --json gives an array', () => {
    const human = volsnap('ls', snapshotId, 'conf');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^TYPE\s+SIZE\s+MODE\s+OWNER\s+MODIFIED\s+NAME/);
    expect(human.stdout).toMatch(/-\s+9 B\s+0644\s+0:0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+app\.yml/);
    expect(human.stdout).toMatch(/l\s+-\s+\S+\s+0:0\s+\S+ \S+\s+current -> app\.yml/);
    const json = volsnap('--json', 'ls', snapshotId, '--volume', volume, '/conf/sub/');
    expect(json.code, json.stderr).toBe(0);
    const entries = JSON.parse(json.stdout) as { path: string; type: string; size: number }[];
    expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['conf/sub/blob.bin', 'file', 300000],
      ['conf/sub/x.txt', 'file', 5],
    ]);
  });

  it('cat writes a file’s exact bytes, and refuses a folder', async () => {
    const tree = await volumeTree(docker, volume);
    const blob = tree.find((e) => e.path === 'conf/sub/blob.bin')!;
    const r = runCliSync(data.path, ['cat', snapshotId, '--volume', volume, 'conf/sub/blob.bin'], DEAD_ENGINE);
    expect(r.code, r.stderr).toBe(0);
    // spawnSync decoded as utf8 would mangle bytes: compare through latin1 round-trip of a fresh run.
    const { spawnSync } = await import('node:child_process');
    const raw = spawnSync(
      'node',
      ['bin/volsnap.cjs', '--data-dir', data.path, 'cat', snapshotId, '--volume', volume, 'conf/sub/blob.bin'],
      {
        env: { ...process.env, ...DEAD_ENGINE },
      },
    );
    expect(raw.status).toBe(0);
    expect(raw.stdout.length).toBe(300000);
    expect(createHash('sha256').update(raw.stdout).digest('hex')).toBe(blob.sha256);
    expect(volsnap('cat', snapshotId, '--volume', volume, 'conf/hard.txt').stdout).toBe('outside\n');

    const dir = volsnap('cat', snapshotId, '--volume', volume, 'conf');
    expect(dir.code).toBe(1);
    expect(dir.stdout).toBe('');
    expect(dir.stderr).toMatch(/conf is a folder .*volsnap extract --path conf/);
  });

  it('extract of a folder writes exactly that folder’s files, with setuid dropped and no FIFO', async () => {
    const to = path.join(out.path, 'conf-copy');
    const r = volsnap('extract', snapshotId, '--volume', volume, '--path', 'conf', '--to', to);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/skipped conf\/pipe: device node or FIFO/);
    // Independent listings: busybox inside the volume vs the host filesystem.
    const expected = (await volumeTree(docker, volume))
      .filter((e) => e.path === 'conf' || e.path.startsWith('conf/'))
      .filter((e) => e.type !== 'fifo')
      .map((e) => ({
        path: e.path,
        type: e.type,
        mode: (parseInt(e.mode, 8) & 0o1777).toString(8),
        size: e.type === 'regular file' ? e.size : 0,
        sha256: e.sha256,
        link: e.linkTarget,
      }));
    expect(hostTree(to)).toEqual(expected);
  });

  it('extract refuses bad targets and unknown paths, writing nothing', () => {
    const full = path.join(out.path, 'full');
    mkdirSync(full);
    writeFileSync(path.join(full, 'mine.txt'), 'keep');
    const notEmpty = volsnap('extract', snapshotId, '--path', 'conf', '--to', full);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toMatch(/is not empty .*new or empty folder/);
    expect(readdirSync(full)).toEqual(['mine.txt']);

    const fresh = path.join(out.path, 'never');
    const missing = volsnap('extract', snapshotId, '--path', 'conf/nope.txt', '--to', fresh);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/conf\/nope\.txt is not in volume .*volsnap ls/);
    expect(() => lstatSync(fresh)).toThrow();

    const denied = volsnap('extract', snapshotId, '--path', 'conf', '--to', '/sys/volsnap-extract-test');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/Cannot write to \/sys\/volsnap-extract-test: permission denied/);

    const escape = volsnap('extract', snapshotId, '--path', '../etc', '--to', fresh);
    expect(escape.code).toBe(1);
    expect(escape.stderr).toMatch(/contains "\.\."/);
    expect(() => lstatSync(fresh)).toThrow();
  });
});

describe('volsnap ls without a store entry', () => {
  it('names the snapshot it cannot find', () => {
    ensureCliBuilt();
    const data = tempDir();
    try {
      const r = runCliSync(data.path, ['ls', 'no-such-snapshot'], DEAD_ENGINE);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/No snapshot "no-such-snapshot"/);
    } finally {
      data.remove();
    }
  });
});
