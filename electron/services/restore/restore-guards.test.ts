import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Header } from 'tar';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import { createRestoreFixture, type RestoreFixture } from './restore-fixture.test-util';
import { createServices } from '../index';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
} from '../../../test/engine';

/** Bad input gets a clear error and loses nothing: the volumes keep their contents, the containers run. */
describeEngine('restore refuses bad input and loses nothing', () => {
  let f: RestoreFixture;
  let original: { bytes: Buffer; sha: string; format: number; file: string };

  beforeAll(async () => {
    f = await createRestoreFixture(testDocker());
    const stored = f.services.catalog.storedVolumes(f.snapshot.id)[1]!;
    const file = f.services.files.pathOf(f.snapshot.id, stored.archiveFile);
    original = { bytes: readFileSync(file), sha: stored.sha256, format: stored.format, file };
  });
  afterAll(async () => {
    await f?.remove();
  });
  beforeEach(() => {
    writeFileSync(original.file, original.bytes);
    setArchive(original.sha, original.format);
    f.services.db
      .prepare(`DELETE FROM manifest_entries WHERE snapshot_id = ? AND path LIKE 'evil%'`)
      .run(f.snapshot.id);
  });

  const restore = (extra: { confirm?: string; workload?: string } = {}) =>
    f.services.restore.start({ snapshot: f.snapshot.id, confirm: f.snapshot.name, safetySnapshot: false, ...extra });

  async function expectUntouched(): Promise<void> {
    expect(await f.trees()).toEqual(f.oldTrees);
    expect(await f.assertSettled()).toEqual([]);
  }

  /** Points volume b's row at what its stored file now holds; a forged archive is a format 1 one. */
  function setArchive(sha: string, format: number): void {
    f.services.db
      .prepare(`UPDATE snapshot_volumes SET sha256 = ?, format = ? WHERE snapshot_id = ? AND position = 1`)
      .run(sha, format, f.snapshot.id);
  }

  it('refuses a wrong confirmation and a snapshot of another workload', async () => {
    await expect(restore({ confirm: `${f.snapshot.name} ` })).rejects.toMatchObject({ kind: 'ConfirmationMismatch' });
    await expect(restore({ workload: 'compose:someone-else' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expectUntouched();
  });

  it('refuses a tampered archive (bit flip, truncation) before touching anything', async () => {
    const flipped = Buffer.from(original.bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x10;
    writeFileSync(original.file, flipped);
    await expect(restore()).rejects.toMatchObject({ kind: 'Integrity' });
    writeFileSync(original.file, original.bytes.subarray(0, original.bytes.length - 20));
    await expect(restore()).rejects.toMatchObject({ kind: 'Integrity', message: /checksum/ });
    await expectUntouched();
  });

  const volumeB = () => f.volumes[1]!;
  const malicious: [string, () => TarEntry[], string[], RegExp][] = [
    ['a path with ..', () => [file(`${volumeB()}/../evil`)], [], /contains "\.\."/],
    ['an absolute path', () => [file('/evil')], [], /absolute path/],
    [
      'a file written through a symlink that escapes',
      () => [
        { path: `${volumeB()}/evil-link`, type: 'SymbolicLink', linkpath: '/' },
        file(`${volumeB()}/evil-link/etc/x`),
      ],
      ['evil-link'],
      /written through the link evil-link/,
    ],
    ['an entry not in the manifest', () => [file(`${volumeB()}/evil-intruder`)], [], /not in the snapshot's manifest/],
  ];
  for (const [what, entries, listed, reason] of malicious) {
    it(`refuses an archive with ${what} before any swap`, async () => {
      const root: TarEntry = { path: `${volumeB()}/`, type: 'Directory' };
      const bytes = compress(tarOf([root, ...entries()]));
      writeFileSync(original.file, bytes);
      setArchive(createHash('sha256').update(bytes).digest('hex'), 1);
      const insert = f.services.db.prepare(
        `INSERT OR REPLACE INTO manifest_entries VALUES (?, 1, ?, 'symlink', 0, 511, 0, 0, 0, NULL, '/')`,
      );
      for (const path of listed) insert.run(f.snapshot.id, path);
      const handle = await restore();
      await expect(handle.done).rejects.toMatchObject({ kind: 'Integrity', message: reason });
      await expectUntouched();
    });
  }

  it('refuses a file whose content does not match its manifest sha256, before any swap', async () => {
    const update = f.services.db.prepare(
      `UPDATE manifest_entries SET sha256 = ? WHERE snapshot_id = ? AND position = 1 AND path = 'data'`,
    );
    const row = f.services.db
      .prepare(`SELECT sha256 FROM manifest_entries WHERE snapshot_id = ? AND position = 1 AND path = 'data'`)
      .get(f.snapshot.id) as { sha256: string };
    update.run('0'.repeat(64), f.snapshot.id);
    try {
      const handle = await restore();
      await expect(handle.done).rejects.toMatchObject({ kind: 'Integrity', message: /does not match its sha256/ });
      await expectUntouched();
    } finally {
      update.run(row.sha256, f.snapshot.id);
    }
  });

  it('refuses with Conflict while a capture of the workload runs', async () => {
    const capture = await f.services.capture.start({ workload: f.workload.id, mode: 'live' });
    await expect(restore()).rejects.toMatchObject({ kind: 'Conflict', message: new RegExp(capture.jobId) });
    await capture.done;
    await expectUntouched();
  });
});

describeEngine('restore refuses a workload that is no longer image-based', () => {
  const docker = testDocker();

  // Issue 14: a removed container no longer blocks; the plan names it and the restore touches only the volumes.
  it('names a container removed since the capture, and restores without creating it', async () => {
    const project = uniqueName('vsgone');
    const w = await createWorkload(docker, {
      project,
      services: [
        { name: 'web', volumes: [{ volume: `${project}-v`, destination: '/v' }] },
        { name: 'cache', volumes: [] },
      ],
    });
    const dir = tempDir();
    const services = createServices({ dataDir: dir.path, docker });
    try {
      const snap = await (await services.capture.start({ workload: w.id, name: `${project}-s`, mode: 'live' })).done;
      await docker.getContainer(`${project}-cache-1`).remove({ force: true });
      const plan = await services.restore.preview(snap.id);
      expect(plan.blockers).toEqual([]);
      expect(plan.notes?.join(' ')).toMatch(new RegExp(`removed since the capture.*${project}-cache-1`));
      await (
        await services.restore.start({ snapshot: snap.id, confirm: snap.name })
      ).done;
      await expect(docker.getContainer(`${project}-cache-1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      services.close();
      await w.remove();
      dir.remove();
    }
  });

  it('names an image removed since the capture', async () => {
    const name = uniqueName('vsimg');
    const base = await docker.createContainer({
      Image: 'busybox:latest',
      Cmd: ['true'],
      HostConfig: { NetworkMode: 'none' },
    });
    await base.commit({ repo: name, tag: 'latest' });
    await base.remove();
    await docker.createVolume({ Name: `${name}-v` });
    await docker.createContainer({
      name,
      Image: `${name}:latest`,
      Cmd: ['sleep', '100000'],
      HostConfig: { NetworkMode: 'none', Binds: [`${name}-v:/v`] },
    });
    const dir = tempDir();
    const services = createServices({ dataDir: dir.path, docker });
    try {
      const snap = await (await services.capture.start({ workload: name, name: `${name}-s`, mode: 'live' })).done;
      await docker.getImage(`${name}:latest`).remove({ force: true });
      await expect(services.restore.start({ snapshot: snap.id, confirm: snap.name })).rejects.toMatchObject({
        kind: 'Unsupported',
        message: new RegExp(`${name}.*no longer on this engine`),
      });
    } finally {
      services.close();
      await docker.getContainer(name).remove({ force: true });
      await docker.getVolume(`${name}-v`).remove();
      dir.remove();
    }
  });

  it('rolls back when the volume fills up while staging', async () => {
    const name = uniqueName('vsfull');
    const volume = `${name}-v`;
    await docker.createVolume({ Name: volume, DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    // A tmpfs volume loses its contents when nothing mounts it: a container outside the workload keeps it.
    const keeper = await docker.createContainer({
      name: `${name}-keeper`,
      Image: 'busybox:latest',
      Cmd: ['sleep', '100000'],
      HostConfig: { NetworkMode: 'none', Binds: [`${volume}:/keep`] },
    });
    await keeper.start();
    const app = await docker.createContainer({
      name,
      Image: 'busybox:latest',
      Cmd: ['sleep', '100000'],
      StopSignal: 'SIGKILL',
      HostConfig: { NetworkMode: 'none', Binds: [`${volume}:/data`] },
    });
    await app.start();
    const dir = tempDir();
    const services = createServices({ dataDir: dir.path, docker });
    try {
      await runScript(docker, [`${volume}:/v`], 'head -c 600000 /dev/urandom > /v/big');
      const snap = await (await services.capture.start({ workload: name, name: `${name}-s`, mode: 'live' })).done;
      await runScript(docker, [`${volume}:/v`], 'head -c 600000 /dev/urandom > /v/big');
      const before = await volumeTree(docker, volume);
      const handle = await services.restore.start({ snapshot: snap.id, confirm: snap.name, safetySnapshot: false });
      await expect(handle.done).rejects.toMatchObject({ message: /ran out of space/ });
      expect(await volumeTree(docker, volume)).toEqual(before);
      expect((await app.inspect()).State.Running).toBe(true);
    } finally {
      services.close();
      await app.remove({ force: true });
      await keeper.remove({ force: true });
      await docker.getVolume(volume).remove();
      dir.remove();
    }
  });
});

interface TarEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink';
  linkpath?: string;
  body?: Buffer;
}

function file(path: string): TarEntry {
  return { path, type: 'File', body: Buffer.from('evil\n') };
}

/** A raw tar, written by hand so it can hold what no well-behaved tool writes. */
function tarOf(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const size = e.body?.length ?? 0;
    const header = new Header({
      path: e.path,
      type: e.type,
      size,
      mode: e.type === 'File' ? 0o644 : 0o755,
      uid: 0,
      gid: 0,
      mtime: new Date(),
      linkpath: e.linkpath,
    });
    header.encode();
    blocks.push(header.block!);
    if (e.body) blocks.push(e.body, Buffer.alloc((512 - (size % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
