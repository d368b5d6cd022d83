import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '..';
import { ManifestTap } from '../manifest-tap';
import { ChunkIndex } from '../../store/chunks/chunk-index';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';
import { createHelper, helperMountPath, removeHelper } from '../../docker/helper';

describeEngine('tar layout (format v2, through capture and the reader)', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  let workload: TestWorkload | undefined;

  beforeAll(() => {
    services = createServices({ dataDir: data.path, docker });
  });
  afterAll(async () => {
    await workload?.remove();
    services.close();
    data.remove();
  });

  it('stores a captured volume as chunks and regenerates the Engine tar byte for byte; an unchanged volume stores nothing new', async () => {
    const vol = uniqueName('v2tar');
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `cd /seed/${vol} && mkdir -p empty 'with space/nested' && chmod 700 empty &&
        printf 'hello' > 'with space/nested/a.txt' && chown 999:998 'with space/nested/a.txt' && chmod 640 'with space/nested/a.txt' &&
        printf 'ünïcødé' > 'ünïcødé 名前.txt' && ln -s 'with space/nested/a.txt' link && ln 'with space/nested/a.txt' hard &&
        mkdir -p "$(printf 'p%.0s' $(seq 1 120))/$(printf 'q%.0s' $(seq 1 60))" && : > zero && chmod 4755 'with space' &&
        dd if=/dev/urandom of=big.bin bs=1M count=5 2>/dev/null && cp big.bin copy.bin && touch -d '2001-02-03 04:05:06' big.bin`,
    });
    const snapshot = await (
      await services.capture.start({ workload: workload.name, mode: 'live', name: uniqueName('v2') })
    ).done;
    expect(snapshot.status).toBe('ready');
    const [stored] = services.catalog.storedVolumes(snapshot.id);
    expect(stored!.format).toBe(2);

    // The Engine's own tar of the (unchanged, live-mode) volume, read the way capture reads it.
    const helper = await createHelper(docker, {
      image: 'busybox:latest',
      volumes: [vol],
      readOnly: true,
      jobId: 'test',
    });
    const original = createHash('sha256');
    try {
      const engineTar = await helper.getArchive({ path: helperMountPath(vol) });
      await pipeline(engineTar, new Writable({ write: (c: Buffer, _e, cb) => (original.update(c), cb()) }));
    } finally {
      await removeHelper(helper);
    }

    // The stored volume regenerates that tar byte for byte, and its entries are the manifest's.
    const tap = new ManifestTap(vol);
    const engineDigest = original.digest('hex');
    expect(await regeneratedDigest(snapshot.id, tap)).toBe(engineDigest);
    const byPath = (a: { path: string }, b: { path: string }): number => a.path.localeCompare(b.path);
    expect(tap.result().entries.sort(byPath)).toEqual(services.catalog.manifest(snapshot.id, 0).sort(byPath));

    // copy.bin has big.bin's bytes: stored once (5 MiB of random data, nothing compresses it).
    const index = new ChunkIndex(services.db);
    const packBytes = (): number =>
      services.db.prepare('SELECT COALESCE(SUM(bytes), 0) FROM chunk_packs').pluck().get() as number;
    expect(packBytes()).toBeLessThan(6 * 1024 * 1024);

    // Capturing the unchanged volume again stores no new chunk.
    const chunksBefore = index.chunkCount();
    const bytesBefore = packBytes();
    const again = await (await services.capture.start({ workload: workload.name, mode: 'live' })).done;
    expect(again.status).toBe('ready');
    expect(index.chunkCount()).toBe(chunksBefore);
    expect(packBytes()).toBe(bytesBefore);
    expect((await services.snapshots.verify(again.id)).ok).toBe(true);
    // It took its files from the first snapshot's layout: the same tar still comes out.
    expect(await regeneratedDigest(again.id, new ManifestTap(vol))).toBe(engineDigest);
  });

  // Same size, same mtime, new bytes: the header the Engine writes is unchanged. A file of several
  // chunks is checked against the previous manifest's sha256, a file of one chunk against its chunk.
  it.each([
    {
      file: 'db.bin',
      seed: 'dd if=/dev/urandom of=db.bin bs=64k count=16 2>/dev/null',
      change: 'printf CHANGED | dd of=/v/db.bin bs=1 seek=300000 conv=notrunc 2>/dev/null',
      at: 300000,
      changed: 'CHANGED',
    },
    { file: 'small.txt', seed: 'echo one > small.txt', change: 'echo two > /v/small.txt', at: 0, changed: 'two' },
  ])('a re-capture reads $file, changed under an unchanged header (mtime put back), again', async (c) => {
    const vol = uniqueName('v2reuse');
    const app = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `cd /seed/${vol} && ${c.seed} && echo kept > other.txt`,
    });
    try {
      const first = await (await services.capture.start({ workload: app.name, mode: 'live' })).done;
      await runScript(
        docker,
        [`${vol}:/v`],
        `touch -r /v/${c.file} /tmp/ref && ${c.change} && touch -r /tmp/ref /v/${c.file}`,
      );
      const second = await (await services.capture.start({ workload: app.name, mode: 'live' })).done;
      const [volume] = services.catalog.storedVolumes(second.id);
      const bytes = await services.storedVolumes.fileBytes(second.id, volume!, { path: c.file, maxBytes: 2 << 20 });
      expect(bytes!.subarray(c.at, c.at + c.changed.length).toString()).toBe(c.changed);
      const manifest = (id: string) => services.catalog.manifest(id, 0).find((e) => e.path === c.file)!;
      expect(manifest(second.id).mtime).toBe(manifest(first.id).mtime);
      expect(manifest(second.id).sha256).not.toBe(manifest(first.id).sha256);
      expect((await services.snapshots.verify(second.id)).ok).toBe(true);
    } finally {
      await app.remove();
    }
  });

  /** SHA-256 of the tar a stored snapshot's first volume regenerates, read through `tap`. */
  async function regeneratedDigest(snapshotId: string, tap: ManifestTap): Promise<string> {
    const [stored] = services.catalog.storedVolumes(snapshotId);
    const digest = createHash('sha256');
    await pipeline(
      services.storedVolumes.tar(snapshotId, stored!),
      tap,
      new Writable({ write: (c: Buffer, _e, cb) => (digest.update(c), cb()) }),
    );
    return digest.digest('hex');
  }
});
