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
    const regenerated = createHash('sha256');
    const tap = new ManifestTap(vol);
    await pipeline(
      services.storedVolumes.tar(snapshot.id, stored!),
      tap,
      new Writable({ write: (c: Buffer, _e, cb) => (regenerated.update(c), cb()) }),
    );
    expect(regenerated.digest('hex')).toBe(original.digest('hex'));
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
  });
});
