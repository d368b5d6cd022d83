import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManifestTap } from './manifest-tap';
import { createServices, type Services } from '.';
import {
  containerState,
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
  type TreeEntry,
} from '../../test/engine';
import type { ManifestEntry } from '../../shared/types';

const sha256Of = (text: string) => createHash('sha256').update(text).digest('hex');

const TYPE_OF: Record<string, string> = { 'regular file': 'file', directory: 'dir', 'symbolic link': 'symlink' };

/** Compares a manifest with busybox's view of the volume, entry by entry. */
function expectManifestMatchesTree(manifest: ManifestEntry[], tree: TreeEntry[]): void {
  const byPath = new Map(manifest.map((e) => [e.path, e]));
  expect(byPath.get('.')?.type).toBe('dir');
  for (const t of tree) {
    const m = byPath.get(t.path);
    expect(m, `manifest lacks ${JSON.stringify(t.path)}`).toBeDefined();
    const resolved = m!.type === 'hardlink' ? byPath.get(m!.linkTarget!)! : m!;
    expect({
      path: t.path,
      type: resolved.type,
      mode: resolved.mode.toString(8),
      uid: resolved.uid,
      gid: resolved.gid,
    }).toEqual({
      path: t.path,
      type: TYPE_OF[t.type],
      mode: t.type === 'symbolic link' ? resolved.mode.toString(8) : t.mode,
      uid: t.uid,
      gid: t.gid,
    });
    if (t.sha256) expect(resolved.sha256, t.path).toBe(t.sha256);
    if (t.type === 'regular file') expect(resolved.size, t.path).toBe(t.size);
    if (t.linkTarget) expect(m!.linkTarget, t.path).toBe(t.linkTarget);
  }
  expect(manifest.length).toBe(tree.length + 1); // + the volume root "."
}

describeEngine('capture', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  const workloads: TestWorkload[] = [];

  beforeAll(() => {
    services = createServices({ dataDir: data.path, docker });
  });
  afterAll(async () => {
    for (const w of workloads) await w.remove();
    services.close();
    data.remove();
  });

  async function workload(options: Parameters<typeof createWorkload>[1]): Promise<TestWorkload> {
    const w = await createWorkload(docker, options);
    workloads.push(w);
    return w;
  }

  it('stores every entry of a volume with contents, modes, owners, links, empty dirs and odd names', async () => {
    const vol = uniqueName('fidelity');
    const w = await workload({
      services: [{ name: uniqueName('app'), volumes: [{ volume: vol, destination: '/var/lib/data' }] }],
      seed: `cd /seed/${vol} && mkdir -p empty 'with space/nested/deeper' && chmod 700 empty &&
        printf 'hello' > 'with space/nested/a.txt' && chown 999:998 'with space/nested/a.txt' && chmod 640 'with space/nested/a.txt' &&
        printf 'ünïcødé' > 'ünïcødé 名前.txt' && printf 'x' > "$(printf 'new\\nline')" &&
        ln -s 'with space/nested/a.txt' link && ln -s /etc/passwd abs-link && ln 'with space/nested/a.txt' hard &&
        chmod 4755 'with space' && dd if=/dev/urandom of=big.bin bs=1M count=110 2>/dev/null && : > zero`,
    });
    const { done } = await services.capture.start({ workload: w.name, mode: 'live', name: uniqueName('fid') });
    const snapshot = await done;
    expect(snapshot.status).toBe('ready');
    expect(snapshot.volumes).toHaveLength(1);
    expect(snapshot.volumes[0]).toMatchObject({ volumeName: vol, mountDestination: '/var/lib/data' });
    expect(snapshot.sizeBytes).toBeGreaterThan(110 * 1024 * 1024);

    const tree = await volumeTree(docker, vol);
    const manifest = services.catalog.manifest(snapshot.id, 0);
    expectManifestMatchesTree(manifest, tree);

    // The stored volume reads back (through the one reader, whatever the format) as the same entries.
    const [stored] = services.catalog.storedVolumes(snapshot.id);
    const tap = new ManifestTap(vol);
    await pipeline(
      services.storedVolumes.tar(snapshot.id, stored!),
      tap,
      new Writable({ write: (_c, _e, cb) => cb() }),
    );
    expect(tap.result().entries.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      manifest.sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect((await services.snapshots.verify(snapshot.id)).ok).toBe(true);
  });

  it('says what each capture stored: the new data the first time, next to nothing for an unchanged re-capture', async () => {
    const vol = uniqueName('stored');
    const w = await workload({
      services: [{ name: uniqueName('app'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `dd if=/dev/urandom of=/seed/${vol}/random.bin bs=1M count=20 2>/dev/null`,
    });
    const first = await (await services.capture.start({ workload: w.name, mode: 'live' })).done;
    const again = await (await services.capture.start({ workload: w.name, mode: 'live' })).done;
    const MiB = 1024 * 1024;
    // 20 MiB of random bytes do not compress: the first capture stored about that much, in chunks.
    expect(first.storedBytes).toBeGreaterThan(19 * MiB);
    expect(first.volumes[0]!.storedBytes).toBe(first.storedBytes);
    expect(services.catalog.get(first.id)!.storedBytes).toBe(first.storedBytes);
    // The unchanged re-capture added no chunk: its figure is its layout file alone.
    expect(again.storedBytes).toBeLessThan(64 * 1024);
    expect(services.catalog.workloadStats().get(w.id)!.storedBytes).toBe(first.storedBytes + again.storedBytes);

    // Unchanged, it lists the very files of the one before; changed, the new ones.
    const files = (id: string) => services.catalog.manifest(id, 0);
    expect(files(again.id)).toEqual(files(first.id));
    await runScript(docker, [`${vol}:/v`], 'echo more > /v/random.bin');
    const changed = await (await services.capture.start({ workload: w.name, mode: 'live' })).done;
    expect(files(changed.id).map((e) => e.path)).toEqual(['.', 'random.bin']);
    expect(files(changed.id)[1]).toMatchObject({ size: 5, sha256: sha256Of('more\n') });
    // Each snapshot's list is its own: deleting the one it was copied from leaves it whole.
    await services.snapshots.delete(first.id, { confirm: first.name });
    expect(files(again.id).map((e) => e.path)).toEqual(['.', 'random.bin']);
  });

  it('captures a compose project, a chosen volume only, and records provenance', async () => {
    const project = uniqueName('proj');
    const [db, cache] = [uniqueName('db'), uniqueName('cache')];
    const w = await workload({
      project,
      services: [
        { name: 'db', volumes: [{ volume: db, destination: '/data' }] },
        { name: 'cache', volumes: [{ volume: cache, destination: '/cache' }] },
      ],
      seed: `echo one > /seed/${db}/f && echo two > /seed/${cache}/g`,
    });
    const listed = (await services.workloads.list()).find((x) => x.id === `compose:${project}`);
    expect(listed?.containers.map((c) => c.service).sort()).toEqual(['cache', 'db']);
    expect(listed?.volumes.map((v) => v.name).sort()).toEqual([cache, db].sort());

    const snapshot = await (await services.capture.start({ workload: w.id, volumes: [db] })).done;
    expect(snapshot.volumes.map((v) => [v.volumeName, v.owner, v.mountDestination])).toEqual([[db, 'db', '/data']]);
    expect(snapshot.provenance?.containers.map((c) => c.service).sort()).toEqual(['cache', 'db']);
    expect(snapshot.provenance?.engineVersion).toMatch(/\d+\.\d+/);
    expect(snapshot.mode).toBe('pause');
  });

  it.each(['pause', 'stop'] as const)('%s mode leaves the containers running afterwards', async (mode) => {
    const vol = uniqueName(mode);
    const w = await workload({
      services: [{ name: uniqueName(mode), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `echo x > /seed/${vol}/x`,
    });
    const observed: string[] = [];
    const stop = services.jobs.progressEvents.on((p) => observed.push(p.phase));
    await (
      await services.capture.start({ workload: w.name, mode })
    ).done;
    stop();
    expect(observed).toContain(mode === 'pause' ? 'pausing' : 'stopping');
    expect((await containerState(docker, w.containers[0]!)).status).toBe('running');
  });

  it('resumes paused containers when the capture fails, and marks the snapshot failed', async () => {
    const vol = uniqueName('fail');
    const w = await workload({
      services: [{ name: uniqueName('fail'), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `echo x > /seed/${vol}/x`,
    });
    const brokenData = tempDir();
    const broken = createServices({ dataDir: brokenData.path, docker });
    try {
      // The archive folder cannot be created: a file sits where the archives folder goes.
      execFileSync('sh', ['-c', `rm -rf '${broken.files.root}' && touch '${broken.files.root}'`]);
      const handle = await broken.capture.start({ workload: w.name, mode: 'pause' });
      await expect(handle.done).rejects.toThrow();
      expect((await containerState(docker, w.containers[0]!)).status).toBe('running');
      const [failed] = broken.snapshots.list(w.id);
      expect(failed?.status).toBe('failed');
      expect(failed?.failureReason).toBeTruthy();
    } finally {
      broken.close();
      brokenData.remove();
    }
  });

  it('removes the partial archive and resumes the workload when the disk fills up', async () => {
    const vol = uniqueName('full');
    const w = await workload({
      services: [{ name: uniqueName('full'), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `dd if=/dev/urandom of=/seed/${vol}/r bs=1M count=8 2>/dev/null`,
    });
    const small = tempDir();
    const mountPoint = path.join(small.path, 'tiny');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
    const tiny = createServices({ dataDir: mountPoint, docker });
    try {
      const handle = await tiny.capture.start({ workload: w.name, mode: 'pause' });
      await expect(handle.done).rejects.toThrow(/disk .* is full/);
      expect((await containerState(docker, w.containers[0]!)).status).toBe('running');
      const [failed] = tiny.snapshots.list(w.id);
      expect(failed?.status).toBe('failed');
      expect(await tiny.files.listSnapshotDirs()).toEqual([]);
    } finally {
      tiny.close();
      execFileSync('umount', [mountPoint]);
      small.remove();
    }
  });

  it('cancelling a capture keeps nothing and resumes the workload', async () => {
    const vol = uniqueName('cancel');
    const w = await workload({
      services: [{ name: uniqueName('cancel'), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `dd if=/dev/urandom of=/seed/${vol}/r bs=1M count=150 2>/dev/null`,
    });
    const name = uniqueName('kept-nothing');
    const dirsBefore = await services.files.listSnapshotDirs();
    const handle = await services.capture.start({ workload: w.name, name, mode: 'pause' });
    const stop = services.jobs.progressEvents.on((p) => {
      if (p.jobId === handle.jobId && p.bytesDone > 0) services.jobs.cancel(handle.jobId);
    });
    await expect(handle.done).rejects.toMatchObject({ kind: 'Cancelled' });
    stop();
    expect((await containerState(docker, w.containers[0]!)).status).toBe('running');
    // No row (not even a `failed` one), no archive folder, and the name is free again.
    expect(services.snapshots.list(w.id)).toEqual([]);
    expect(await services.files.listSnapshotDirs()).toEqual(dirsBefore);
    const again = await (await services.capture.start({ workload: w.name, name, mode: 'live' })).done;
    expect(again).toMatchObject({ name, status: 'ready' });
  });

  it("never stores a restore's own folders: a volume an unfinished restore left them in is refused", async () => {
    const vol = uniqueName('halfway');
    const w = await workload({
      services: [{ name: uniqueName('halfway'), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `cd /seed/${vol} && echo app > app.txt && mkdir -p .volsnap-stage-0123456789abcdef/db sub &&
        echo staged > .volsnap-stage-0123456789abcdef/db/f && echo mine > sub/.volsnap-stage-notes`,
    });
    const dirsBefore = await services.files.listSnapshotDirs();
    const handle = await services.capture.start({ workload: w.name, mode: 'live' });
    await expect(handle.done).rejects.toMatchObject({
      kind: 'Conflict',
      message: expect.stringMatching(/\.volsnap-stage-0123456789abcdef\/.*volsnap recover/) as unknown,
    });
    // A real failure stays listed with its reason; nothing of it is stored.
    const [failed] = services.snapshots.list(w.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failureReason).toContain('volsnap recover');
    expect(await services.files.listSnapshotDirs()).toEqual(dirsBefore);

    // Once the restore is finished (its folders gone), the same volume captures, nested look-alikes included.
    await runScript(docker, [`${vol}:/v`], 'rm -rf /v/.volsnap-stage-0123456789abcdef');
    const snapshot = await (await services.capture.start({ workload: w.name, mode: 'live' })).done;
    expect(snapshot.status).toBe('ready');
    expect(services.catalog.manifest(snapshot.id, 0).map((e) => e.path)).toEqual([
      '.',
      'app.txt',
      'sub',
      'sub/.volsnap-stage-notes',
    ]);
  });

  it('refuses a second capture of the same workload while one runs', async () => {
    const vol = uniqueName('single');
    const w = await workload({
      services: [{ name: uniqueName('single'), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `echo x > /seed/${vol}/x`,
    });
    const first = await services.capture.start({ workload: w.name });
    await expect(services.capture.start({ workload: w.name })).rejects.toMatchObject({
      kind: 'Conflict',
      message: expect.stringContaining(first.jobId) as unknown,
    });
    await first.done;
    await (
      await services.capture.start({ workload: w.name })
    ).done;
  });

  it('explains what cannot be captured', async () => {
    const vol = uniqueName('bad');
    const bindOnly = await workload({
      services: [{ name: uniqueName('bindonly'), volumes: [], binds: ['/tmp:/host-tmp'] }],
    });
    const withVolume = await workload({
      services: [
        { name: uniqueName('withvol'), volumes: [{ volume: vol, destination: '/d' }], binds: ['/tmp:/host-tmp'] },
      ],
    });
    await expect(services.capture.start({ workload: 'no-such-workload' })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(services.capture.start({ workload: bindOnly.name })).rejects.toMatchObject({
      kind: 'InvalidInput',
      message: expect.stringContaining('only bind mounts') as unknown,
    });
    await expect(services.capture.start({ workload: withVolume.name, volumes: ['/host-tmp'] })).rejects.toMatchObject({
      kind: 'InvalidInput',
      message: expect.stringContaining('bind mount') as unknown,
    });
    await expect(services.capture.start({ workload: withVolume.name, name: '  ' })).rejects.toMatchObject({
      kind: 'InvalidInput',
    });
  });

  it('finishes the capture when a workload container is removed mid-capture', async () => {
    const vol = uniqueName('removed');
    const w = await workload({
      services: [{ name: uniqueName('removed'), volumes: [{ volume: vol, destination: '/d' }] }],
      seed: `dd if=/dev/urandom of=/seed/${vol}/r bs=1M count=60 2>/dev/null`,
    });
    const handle = await services.capture.start({ workload: w.name, mode: 'live' });
    let removed: Promise<unknown> | undefined;
    const stop = services.jobs.progressEvents.on((p) => {
      if (p.jobId === handle.jobId && p.bytesDone > 0)
        removed ??= docker.getContainer(w.containers[0]!).remove({ force: true });
    });
    const snapshot = await handle.done;
    stop();
    await removed;
    // The helper holds its own mount of the volume, so the archive is complete.
    expect(snapshot.status).toBe('ready');
    expect((await services.snapshots.verify(snapshot.id)).ok).toBe(true);
  });
});
