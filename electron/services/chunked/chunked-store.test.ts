import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkIndex } from '../../store/chunks/chunk-index';
import { openDb, type Db } from '../../store/db';
import { tempDir } from '../../../test/engine';
import { seededBytes } from '../../../test/seeded-bytes';
import { ContentChunker, STORE_CHUNK_SIZES } from './chunker';
import { ChunkReader } from './chunk-reader';
import { locateList, locationIn } from './list-locations';
import { listIndexOf, sortedList } from '../../store/chunks/sorted-hashes';
import { fileBytes, storeFile, type ChunkedFile } from './chunked-file';
import { PackFiles } from './pack-files';
import { findPackGarbage, removePackGarbage } from './pack-garbage';
import { PackWriter, type SealStep } from './pack-writer';

const MiB = 1024 * 1024;

/** Half incompressible, half text, so packs hold both kinds of frames. */
function content(label: string, length: number): Buffer {
  const noise = seededBytes(label, length / 2);
  const text = Buffer.alloc(length / 2, `row ${label} |`);
  return Buffer.concat([noise, text]);
}

class Stopped extends Error {}

describe('chunked store (format v2 core)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let file: string;

  beforeEach(() => {
    dir = tempDir();
    db = openDb(dir.path);
    file = path.join(dir.path, 'data.bin');
    writeFileSync(file, content('a', 6 * MiB));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const packs = (): PackFiles => new PackFiles(dir.path);

  async function store(writer: PackWriter): Promise<ChunkedFile> {
    const stored = await storeFile(
      createReadStream(file, { highWaterMark: MiB }),
      new ContentChunker(STORE_CHUNK_SIZES),
      writer,
    );
    await writer.flush();
    return stored;
  }

  async function readBack(stored: ChunkedFile, index = new ChunkIndex(db)): Promise<Buffer> {
    const reader = new ChunkReader(index, packs());
    try {
      const parts: Buffer[] = [];
      for await (const part of fileBytes(reader, stored.chunks)) parts.push(part);
      return Buffer.concat(parts);
    } finally {
      await reader.close();
    }
  }

  /** No chunk row may name a pack without a row, nor a pack row a missing file. */
  function expectIndexConsistent(index: ChunkIndex): void {
    const packIds = index.packIds();
    for (const id of index.packsOfChunks()) expect(packIds.has(id)).toBe(true);
    for (const id of packIds) expect(existsSync(packs().pathOf(id))).toBe(true);
  }

  it('regenerates a stored file byte for byte, across several packs', async () => {
    const index = new ChunkIndex(db);
    const stored = await store(new PackWriter({ index, packs: packs(), targetBytes: MiB }));
    const original = readFileSync(file);
    expect(stored.sha256).toBe(createHash('sha256').update(original).digest('hex'));
    expect((await packs().list()).packs.length).toBeGreaterThan(1);
    expect((await readBack(stored)).equals(original)).toBe(true);
    expectIndexConsistent(index);
  });

  it('looks up 1,111 hashes at once, in the order asked, unknown chunks as undefined; located whole, a missing one fails', () => {
    const index = new ChunkIndex(db);
    const hashOf = (n: number) => createHash('sha256').update(`chunk ${n}`).digest();
    const chunks = Array.from({ length: 1_100 }, (_, n) => ({
      hash: hashOf(n),
      packId: 'pack-a',
      offset: n * 100,
      storedLength: 10 + n,
      rawLength: 20 + n,
    }));
    index.commitPack('pack-a', 110_000, chunks);
    // Newest first, with a chunk the index lacks every hundred: 1,111 hashes.
    const asked = chunks.flatMap((c, n) => (n % 100 === 0 ? [hashOf(-n - 1), c.hash] : [c.hash])).reverse();
    const expected = asked.map((hash) => {
      const c = chunks.find((k) => k.hash.equals(hash));
      return c && { packId: c.packId, offset: c.offset, storedLength: c.storedLength, rawLength: c.rawLength };
    });
    expect(expected.filter((e) => e === undefined)).toHaveLength(11);
    expect(index.lookupMany(asked)).toEqual(expected);
    // Located whole (a stream's size before its bytes), past one batch: a hash asked twice is there
    // twice (a repeated chunk is in a stream twice); the first one the index lacks fails, naming it.
    const reader = new ChunkReader(index, packs());
    const known = asked.filter((_, n) => expected[n] !== undefined);
    expect(reader.locate([...known, chunks[7]!.hash])).toEqual([
      ...expected.filter(Boolean),
      expected[asked.indexOf(chunks[7]!.hash)],
    ]);
    const lacking = asked[expected.indexOf(undefined)]!;
    expect(() => reader.locate(asked)).toThrow(`The store has no chunk ${lacking.toString('hex')}.`);
  });

  it("locates a sorted list's chunks in parts, and a reader given them looks up only what they lack", async () => {
    const index = new ChunkIndex(db);
    const hashOf = (n: number) => createHash('sha256').update(`chunk ${n}`).digest();
    const chunk = (n: number, packId: string) => ({
      hash: hashOf(n),
      packId,
      offset: n * 100 + 2 ** 40,
      storedLength: 10 + n,
      rawLength: 20 + n,
    });
    const stored = Array.from({ length: 2_500 }, (_, n) => chunk(n, n % 3 === 0 ? 'pack-a' : 'pack-b'));
    index.commitPack(
      'pack-a',
      1,
      stored.filter((c) => c.packId === 'pack-a'),
    );
    index.commitPack(
      'pack-b',
      1,
      stored.filter((c) => c.packId === 'pack-b'),
    );
    const where = ({ packId, offset, storedLength, rawLength }: ReturnType<typeof chunk>) => ({
      packId,
      offset,
      storedLength,
      rawLength,
    });
    // The list holds every stored chunk but one, and one chunk the index lacks: over two parts of 1,024.
    const list = sortedList([...stored.slice(1).map((c) => c.hash), hashOf(-1)]);
    const found = await locateList(index, list);
    expect(found.packIds.sort()).toEqual(['pack-a', 'pack-b']);
    for (const c of stored.slice(1)) expect(locationIn(found, c.hash)).toEqual(where(c));
    expect(locationIn(found, hashOf(-1))).toBeUndefined();
    expect(locationIn(found, stored[0]!.hash)).toBeUndefined();
    // The chunk the list does not hold is looked up in the index; one nobody has still fails.
    const reader = new ChunkReader(index, packs());
    const asked = [stored[5]!.hash, stored[0]!.hash, stored[2_499]!.hash];
    expect(reader.locate(asked, found)).toEqual([stored[5]!, stored[0]!, stored[2_499]!].map(where));
    expect(() => reader.locate([hashOf(-1)], found)).toThrow(`The store has no chunk ${hashOf(-1).toString('hex')}.`);
    // What the list's locations say is taken as it is, without asking the index again.
    found.offset[listIndexOf(list, stored[5]!.hash)] = 7;
    expect(reader.locate([stored[5]!.hash], found)).toEqual([{ ...where(stored[5]!), offset: 7 }]);
  });

  it('a second write of the same data adds no chunk and no pack', async () => {
    const index = new ChunkIndex(db);
    const first = await store(new PackWriter({ index, packs: packs(), targetBytes: MiB }));
    const chunksBefore = index.chunkCount();
    const packsBefore = (await packs().list()).packs.length;
    const again = new PackWriter({ index, packs: packs(), targetBytes: MiB });
    const second = await store(again);
    expect(second).toEqual(first);
    expect(again.newChunks).toBe(0);
    expect(index.chunkCount()).toBe(chunksBefore);
    expect((await packs().list()).packs.length).toBe(packsBefore);
  });

  it('a chunk added again while its full pack is still being made durable is stored once', async () => {
    const index = new ChunkIndex(db);
    // Every chunk fills a pack, which is then fsynced, renamed and indexed in the background.
    const writer = new PackWriter({ index, packs: packs(), targetBytes: 1 });
    const chunk = seededBytes('sealing', 64 * 1024);
    const hash = await writer.add(chunk);
    expect(index.has(hash)).toBe(false); // not yet: the pack is on its way to the index
    await writer.add(chunk);
    await writer.flush();
    expect(writer.newChunks).toBe(1);
    expect(index.chunkCount()).toBe(1);
    expect((await packs().list()).packs.length).toBe(1);
  });

  it('a pack that fails to be made durable fails the next add or the flush, and abort waits for it', async () => {
    const failing = new PackWriter({
      index: new ChunkIndex(db),
      packs: packs(),
      targetBytes: 1,
      afterStep: (step) => {
        if (step === 'renamed') throw new Stopped(step);
      },
    });
    await failing.add(seededBytes('first', 1024));
    const next = (async () => {
      for (let i = 0; ; i++) await failing.add(seededBytes(`more ${i}`, 1024));
    })();
    await expect(next).rejects.toBeInstanceOf(Stopped);
    await expect(failing.flush()).rejects.toBeInstanceOf(Stopped);
    await failing.abort();
    // Nothing was indexed; what is on disk is garbage the sweep finds and removes.
    const index = new ChunkIndex(db);
    expect(index.chunkCount()).toBe(0);
    const garbage = await findPackGarbage(packs(), index);
    expect(garbage.unindexed.length).toBe(1);
    await removePackGarbage(packs(), garbage);
    expect(await readdir(packs().dir)).toEqual([]);
  });

  it.each<SealStep>(['synced', 'renamed', 'committed'])(
    'a writer stopped after %s leaves no index row without its pack, only garbage the sweep finds',
    async (step) => {
      const stopAt = (s: SealStep): void => {
        if (s === step) throw new Stopped(step);
      };
      const writer = new PackWriter({
        index: new ChunkIndex(db),
        packs: packs(),
        targetBytes: 2 * MiB,
        afterStep: stopAt,
      });
      await expect(store(writer)).rejects.toBeInstanceOf(Stopped);
      // What a restarted process sees: a new connection to the same catalog and folder.
      db.close();
      db = openDb(dir.path);
      const index = new ChunkIndex(db);
      expectIndexConsistent(index);
      const garbage = await findPackGarbage(packs(), index);
      // The pack stopped at, and the next one if it was begun while that one was sealed (in the background).
      const stoppedAt = step === 'synced' ? 1 : 0;
      expect(garbage.temps.length).toBeGreaterThanOrEqual(stoppedAt);
      expect(garbage.temps.length).toBeLessThanOrEqual(stoppedAt + 1);
      expect(garbage.unindexed.length).toBe(step === 'renamed' ? 1 : 0);
      await removePackGarbage(packs(), garbage);
      expect(await findPackGarbage(packs(), index)).toEqual({ temps: [], unindexed: [] });
      const onDisk = (await readdir(packs().dir)).length;
      expect(onDisk).toBe(index.packIds().size);
      // The next capture stores what is missing and the file reads back whole.
      const stored = await store(new PackWriter({ index, packs: packs(), targetBytes: 2 * MiB }));
      expect((await readBack(stored, index)).equals(readFileSync(file))).toBe(true);
      expectIndexConsistent(index);
    },
  );

  it('a damaged pack is reported as such, not returned as file contents', async () => {
    const index = new ChunkIndex(db);
    const stored = await store(new PackWriter({ index, packs: packs() }));
    const [packId] = [...index.packIds()];
    const where = index.lookup(Buffer.from(stored.chunks[0]!, 'hex'))!;
    const bytes = readFileSync(packs().pathOf(packId!));
    bytes.writeUInt8(bytes.readUInt8(where.offset + 20) ^ 0xff, where.offset + 20);
    writeFileSync(packs().pathOf(packId!), bytes);
    await expect(readBack(stored)).rejects.toThrow(/damaged/);
  });
});
