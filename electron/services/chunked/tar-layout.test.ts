import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DecompressStream } from 'zstd-napi';
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
import { ContentChunker, STORE_CHUNK_SIZES } from './chunker';
import { ChunkReader } from './chunk-reader';
import { PackFiles } from './pack-files';
import { PackWriter } from './pack-writer';
import { regenerateTar, splitTar } from './tar-layout';

describeEngine('tar layout (format v2)', () => {
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

  it('regenerates a captured volume tar byte for byte from chunks, entry by entry as the manifest says', async () => {
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
    const archive = (): NodeJS.ReadableStream =>
      createReadStream(services.files.pathOf(snapshot.id, stored!.archiveFile)).pipe(new DecompressStream());

    const original = createHash('sha256');
    await pipeline(archive(), new Writable({ write: (c: Buffer, _e, cb) => (original.update(c), cb()) }));

    const index = new ChunkIndex(services.db);
    const packs = new PackFiles(data.path);
    const writer = new PackWriter({ index, packs });
    const layout = await splitTar(
      archive() as AsyncIterable<Buffer>,
      writer,
      () => new ContentChunker(STORE_CHUNK_SIZES),
    );
    await writer.flush();
    // copy.bin has big.bin's bytes: stored once.
    expect(writer.newBytes).toBeLessThan(6 * 1024 * 1024);

    const reader = new ChunkReader(index, packs);
    const regenerated = createHash('sha256');
    const tap = new ManifestTap(vol);
    await pipeline(
      regenerateTar(layout, reader),
      tap,
      new Writable({ write: (c: Buffer, _e, cb) => (regenerated.update(c), cb()) }),
    );
    await reader.close();
    expect(regenerated.digest('hex')).toBe(original.digest('hex'));
    const byPath = (a: { path: string }, b: { path: string }): number => a.path.localeCompare(b.path);
    expect(tap.result().entries.sort(byPath)).toEqual(services.catalog.manifest(snapshot.id, 0).sort(byPath));

    // Splitting the same tar again stores nothing new.
    const again = new PackWriter({ index, packs });
    await splitTar(archive() as AsyncIterable<Buffer>, again, () => new ContentChunker(STORE_CHUNK_SIZES));
    await again.flush();
    expect(again.newChunks).toBe(0);
  });
});
