import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '.';
import { importImage } from '../docker/images';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
} from '../../test/engine';
import type { Snapshot } from '../../shared/types';

/**
 * A capture lists its volumes first (docker/volume-listing.ts); a volume that lists as it did in
 * the workload's last snapshot is not read again. What a user notices: the capture says so and is
 * quick, and every snapshot still holds exactly what the volume held.
 */
describeEngine('an unchanged volume is not read again', () => {
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

  async function workload(volumes: string[], seed: string): Promise<TestWorkload> {
    const w = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: volumes.map((volume, i) => ({ volume, destination: `/d${i}` })) }],
      seed,
    });
    workloads.push(w);
    return w;
  }

  /** Captures live; returns the snapshot and the volumes its progress said were not read again. */
  async function capture(w: TestWorkload): Promise<{ snapshot: Snapshot; unread: string[] }> {
    const unread: string[] = [];
    const stop = services.jobs.progressEvents.on((p) => {
      if (p.detail?.endsWith('not read again') && p.volume) unread.push(p.volume);
    });
    try {
      const snapshot = await (await services.capture.start({ workload: w.name, mode: 'live' })).done;
      return { snapshot, unread };
    } finally {
      stop();
    }
  }

  /** A snapshot's manifest of one volume, by the volume's name. */
  const manifest = (id: string, volume: string) => {
    const stored = services.catalog.storedVolumes(id).find((v) => v.volumeName === volume)!;
    return services.catalog.manifest(id, stored.position);
  };
  const sorted = (names: string[]) => [...names].sort();

  it('reuses each volume that lists the same, reads the one that changed, and every snapshot restores exactly', async () => {
    const [still, busy] = [uniqueName('still'), uniqueName('busy')];
    const w = await workload(
      [still, busy],
      `cd /seed/${still} && dd if=/dev/urandom of=big bs=1M count=3 2>/dev/null && mkdir d && echo x > d/y && ln -s d/y link &&
       cd /seed/${busy} && echo one > log && dd if=/dev/urandom of=blob bs=64k count=4 2>/dev/null`,
    );
    const first = await capture(w);
    expect(first.unread).toEqual([]);
    const stillTree = await volumeTree(docker, still);

    const second = await capture(w);
    expect(sorted(second.unread)).toEqual(sorted([still, busy]));
    expect(second.snapshot.storedBytes).toBeLessThan(64 * 1024);
    for (const volume of [still, busy])
      expect(manifest(second.snapshot.id, volume)).toEqual(manifest(first.snapshot.id, volume));

    await runScript(docker, [`${busy}:/v`], 'echo two >> /v/log');
    const busyTree = await volumeTree(docker, busy);
    const third = await capture(w);
    expect(third.unread).toEqual([still]);
    expect(manifest(third.snapshot.id, busy).find((e) => e.path === 'log')).toMatchObject({ size: 8 });

    // The snapshots it was reused from go; the reused one keeps its chunks through gc.
    for (const s of [first.snapshot, second.snapshot]) await services.snapshots.delete(s.id, { confirm: s.name });
    expect(await services.gc.runIfIdle()).not.toBeNull();
    expect((await services.snapshots.verify(third.snapshot.id)).ok).toBe(true);
    await runScript(docker, [`${still}:/a`, `${busy}:/b`], 'rm -rf /a/* /b/*; echo other > /a/big');
    await (
      await services.restore.start({ snapshot: third.snapshot.id, confirm: third.snapshot.name })
    ).done;
    expect(await volumeTree(docker, still)).toEqual(stillTree);
    expect(await volumeTree(docker, busy)).toEqual(busyTree);

    // Restored, the files are new ones (new inodes and change times): read again, then reused.
    expect((await capture(w)).unread).toEqual([]);
    expect(sorted((await capture(w)).unread)).toEqual(sorted([still, busy]));
  }, 180_000);

  it('reads a file rewritten in place with its size and mtime put back', async () => {
    const vol = uniqueName('inplace');
    const w = await workload([vol], `cd /seed/${vol} && dd if=/dev/urandom of=page bs=8k count=8 2>/dev/null`);
    const first = await capture(w);
    // Same inode, same size, same mtime to the nanosecond: only its change time tells.
    await runScript(
      docker,
      [`${vol}:/v`],
      'touch -r /v/page /tmp/ref && printf CHANGED | dd of=/v/page bs=1 seek=100 conv=notrunc 2>/dev/null && touch -r /tmp/ref /v/page',
    );
    const second = await capture(w);
    expect(second.unread).toEqual([]);
    const page = (s: Snapshot) => manifest(s.id, vol).find((e) => e.path === 'page')!;
    expect(page(second.snapshot).mtime).toBe(page(first.snapshot).mtime);
    expect(page(second.snapshot).sha256).not.toBe(page(first.snapshot).sha256);
  }, 120_000);

  it('reads the volume again when the layout it would reuse is not the one recorded', async () => {
    const vol = uniqueName('forged');
    const w = await workload([vol], `cd /seed/${vol} && echo kept > file`);
    const first = await capture(w);
    const [stored] = services.catalog.storedVolumes(first.snapshot.id);
    writeFileSync(services.files.pathOf(first.snapshot.id, stored!.archiveFile), 'not a layout');
    const second = await capture(w);
    expect(second.unread).toEqual([]);
    expect(second.snapshot.status).toBe('ready');
    expect((await services.snapshots.verify(second.snapshot.id)).ok).toBe(true);
    expect(manifest(second.snapshot.id, vol).map((e) => e.path)).toEqual(['.', 'file']);
  }, 120_000);

  it('captures with a helper image that cannot list (no shell), reading every volume each time', async () => {
    const image = `${uniqueName('noshell')}:1`;
    const root = tempDir('volsnap-noshell-');
    try {
      writeFileSync(path.join(root.path, 'nothing'), 'no programs here\n');
      await importImage(docker, {
        tar: Readable.from(createTar({ cwd: root.path }, ['nothing'])),
        tag: image,
        labels: {},
      });
      services.settings.set('helperImage', image);
      const vol = uniqueName('unlisted');
      const w = await workload([vol], `cd /seed/${vol} && echo kept > file`);
      const first = await capture(w);
      const second = await capture(w);
      expect(second.unread).toEqual([]);
      for (const s of [first.snapshot, second.snapshot]) {
        expect(s.status).toBe('ready');
        expect(manifest(s.id, vol).map((e) => e.path)).toEqual(['.', 'file']);
      }
    } finally {
      services.settings.set('helperImage', 'busybox:latest');
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      root.remove();
    }
  }, 120_000);
});
