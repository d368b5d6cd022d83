import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import {
  bundleOf,
  bundleOfVolumes,
  docOf,
  forgedVolume,
  plainEntries,
  rawTar,
  type RawEntry,
} from './bundle-forge.test-util';
import { BundleService } from './bundle-service';
import { entryHeader, padding } from './bundle-writer';
import { createServices, type Services } from '..';
import { describeEngine, tempDir, testDocker } from '../../../test/engine';

/** One hostile input: the file's bytes, how to import it, and what the refusal must say. */
interface Case {
  name: string;
  file: () => Promise<Buffer>;
  volume?: string;
  expected: RegExp;
  maxExpandedBytes?: number;
}

const V = 'data';
const root = (entries: RawEntry[]): RawEntry[] => [{ path: `${V}/`, type: 'Directory' }, ...entries];
const one = async (entries: RawEntry[], edit?: Parameters<typeof bundleOfVolumes>[1]) =>
  bundleOfVolumes([await forgedVolume(V, entries)], edit);

const CASES: Case[] = [
  {
    name: 'path traversal with ..',
    file: () => one(root([{ path: `${V}/../escape`, body: 'x' }])),
    expected: /contains "\.\."/,
  },
  {
    name: 'an absolute path',
    file: () => one(root([{ path: '/etc/evil', body: 'x' }])),
    expected: /absolute path/,
  },
  {
    name: 'a symlink out of the volume, then a file written through it',
    file: () =>
      one(
        root([
          { path: `${V}/link`, type: 'SymbolicLink', linkpath: '/etc' },
          { path: `${V}/link/passwd`, body: 'x' },
        ]),
      ),
    expected: /link lies under link, which is a symlink|through the link link|under link, which is a symlink/,
  },
  {
    name: 'a hardlink to a file outside the volume',
    file: () => one(root([{ path: `${V}/h`, type: 'Link', linkpath: '/etc/passwd' }])),
    expected: /hardlink to \/etc\/passwd|absolute path/,
  },
  {
    name: 'a hardlink across volumes',
    file: async () =>
      bundleOfVolumes([
        await forgedVolume(V, root([{ path: `${V}/h`, type: 'Link', linkpath: 'other/f' }])),
        await forgedVolume('other', [
          { path: 'other/', type: 'Directory' },
          { path: 'other/f', body: 'secret' },
        ]),
      ]),
    expected: /hardlink to other\/f|outside the volume's folder/,
  },
  {
    name: 'the volume root as a symlink to /',
    file: () => one([{ path: V, type: 'SymbolicLink', linkpath: '/' }]),
    expected: /volume root \(\.\) is a symlink/,
  },
  {
    name: 'the volume root as a symlink to itself',
    file: () => one([{ path: V, type: 'SymbolicLink', linkpath: '.' }]),
    expected: /volume root \(\.\) is a symlink/,
  },
  {
    name: 'the volume root as a symlink to another volume',
    file: async () =>
      bundleOfVolumes([
        await forgedVolume(V, [{ path: V, type: 'SymbolicLink', linkpath: '../other' }]),
        await forgedVolume('other', [{ path: 'other/', type: 'Directory' }]),
      ]),
    expected: /volume root \(\.\) is a symlink/,
  },
  {
    name: 'the volume root as a plain file',
    file: () => one([{ path: V, body: 'not a dir' }]),
    expected: /volume root \(\.\) is a file/,
  },
  {
    name: 'a device node',
    file: () => one(root([{ path: `${V}/null`, type: 'CharacterDevice' }])),
    expected: /device node or FIFO/,
  },
  {
    name: 'a FIFO',
    file: () => one(root([{ path: `${V}/fifo`, type: 'FIFO' }])),
    expected: /device node or FIFO/,
  },
  {
    name: 'a setuid file',
    file: () => one(root([{ path: `${V}/su`, body: '#!/bin/sh', mode: 0o4755 }])),
    expected: /setuid or setgid/,
  },
  {
    name: 'a duplicate entry',
    file: () =>
      one(
        root([
          { path: `${V}/a`, body: 'one' },
          { path: `${V}/a`, body: 'two' },
        ]),
      ),
    expected: /appears twice/,
  },
  {
    name: 'a duplicate path in volsnap.json',
    file: () =>
      one(root([{ path: `${V}/a`, body: 'one' }]), (doc) =>
        doc.volumes[0]!.manifest.push(doc.volumes[0]!.manifest[1]!),
      ),
    expected: /lists "a" twice/,
  },
  {
    name: 'a PAX record overriding the path with ..',
    file: () => one(root([{ path: `${V}/ok`, body: 'x', pax: { path: `${V}/../../etc/evil` } }])),
    expected: /contains "\.\."/,
  },
  {
    name: 'a PAX record overriding a hardlink target',
    file: () =>
      one(
        root([
          { path: `${V}/a`, body: 'x' },
          { path: `${V}/h`, type: 'Link', linkpath: `${V}/a`, pax: { linkpath: '/etc/shadow' } },
        ]),
      ),
    expected: /hardlink to \/etc\/shadow|absolute path/,
  },
  {
    name: 'a PAX record overriding the size',
    file: async () => {
      const sound = await forgedVolume(V, root([{ path: `${V}/a`, body: 'hello' }]));
      const forged = await forgedVolume(V, root([{ path: `${V}/a`, body: 'hello', pax: { size: 4096 } }]), {
        manifest: sound.manifest,
      });
      return bundleOfVolumes([forged]);
    },
    expected: /different size|cannot be read|not a readable tar|missing from the archive/,
  },
  {
    name: 'a GNU long name escaping the volume',
    file: () =>
      one(
        root([
          {
            path: `${V}/short`,
            body: 'x',
            gnuLongPath: `${V}/${'d/'.repeat(60)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../etc/evil`,
          },
        ]),
      ),
    expected: /contains "\.\."/,
  },
  {
    name: 'a NUL byte in a name (volsnap.json)',
    file: () => one(root([{ path: `${V}/a`, body: 'x' }]), (doc) => (doc.volumes[0]!.manifest[1]!.path = 'a\0b')),
    expected: /NUL byte/,
  },
  {
    name: 'a newline in a name',
    file: () => one(root([{ path: `${V}/evil\nname`, body: 'x' }])),
    expected: /newline or another control character/,
  },
  {
    name: 'an over-long name',
    file: () => one(root([{ path: `${V}/${'n'.repeat(300)}`, body: 'x' }])),
    expected: /longer than 255 bytes/,
  },
  {
    name: 'a decompression bomb (a tiny stream expanding past its manifest)',
    file: async () => {
      const tar = rawTar(root([{ path: `${V}/a`, body: 'x' }]));
      const sound = await forgedVolume(V, root([{ path: `${V}/a`, body: 'x' }]));
      // 64 MiB of zeros after the trailer compress to a few KB.
      return bundleOfVolumes([{ ...sound, stream: compress(Buffer.concat([tar, Buffer.alloc(64 * 1024 * 1024)])) }]);
    },
    expected: /expands beyond what its manifest declares/,
  },
  {
    name: 'a bundle cut inside a header',
    file: async () => {
      const whole = await one(root([{ path: `${V}/a`, body: 'tiny' }]));
      return whole.subarray(0, whole.length - 2000);
    },
    expected: /lacks the stream of volume data \(the file may be truncated\)|truncated/,
  },
  {
    name: 'a truncated bundle',
    file: async () => {
      const whole = await one(root([{ path: `${V}/a`, body: noise(100_000) }]));
      // Cut inside the volume stream: its body ends early.
      return whole.subarray(0, whole.length - 20_000);
    },
    expected: /truncated|not a readable tar/,
  },
  {
    name: 'a truncated volume stream whose checksum was forged to match',
    file: async () => {
      const v = await forgedVolume(V, root([{ path: `${V}/a`, body: noise(200_000) }]));
      return bundleOfVolumes([{ ...v, stream: v.stream.subarray(0, v.stream.length >> 1) }]);
    },
    expected: /cannot be read|missing from the archive/,
  },
  {
    name: 'a stream that disagrees with its sha256 in volsnap.json',
    file: () => one(root([{ path: `${V}/a`, body: 'x' }]), (doc) => (doc.volumes[0]!.stream.sha256 = '0'.repeat(64))),
    expected: /does not match its sha256 in volsnap.json/,
  },
  {
    name: 'file content that disagrees with the manifest (checksums forged)',
    file: async () => {
      const sound = await forgedVolume(V, root([{ path: `${V}/a`, body: 'good' }]));
      return bundleOfVolumes([
        await forgedVolume(V, root([{ path: `${V}/a`, body: 'evil' }]), { manifest: sound.manifest }),
      ]);
    },
    expected: /a does not match its sha256 in the manifest/,
  },
  {
    name: 'an entry the manifest does not list',
    file: async () => {
      const sound = await forgedVolume(V, root([{ path: `${V}/a`, body: 'x' }]));
      return bundleOfVolumes([
        await forgedVolume(
          V,
          root([
            { path: `${V}/a`, body: 'x' },
            { path: `${V}/b`, body: 'y' },
          ]),
          { manifest: sound.manifest },
        ),
      ]);
    },
    expected: /b is not in the snapshot's manifest/,
  },
  {
    name: 'an unknown format version',
    file: () => one(plainEntries(V), (doc) => ((doc as { version: number }).version = 2)),
    expected: /format version 2; this Volsnap reads version 1/,
  },
  {
    name: 'bad JSON',
    file: async () => bundleOf('{"format": "volsnap-bundle", "version": 1,', []),
    expected: /not valid JSON/,
  },
  {
    name: 'a volume name Docker would refuse',
    file: async () => {
      const v = await forgedVolume('-evil', [{ path: '-evil/', type: 'Directory' }]);
      return bundleOfVolumes([v]);
    },
    expected: /volumeName: is not a volume name Docker accepts/,
  },
  {
    name: 'a volume name with a path in it',
    file: async () =>
      bundleOfVolumes([await forgedVolume(V, plainEntries(V))], (doc) => (doc.volumes[0]!.volumeName = '../../etc')),
    expected: /is not a volume name Docker accepts/,
  },
  {
    name: 'a first entry other than volsnap.json',
    file: async () => {
      const v = await forgedVolume(V, plainEntries(V));
      return bundleOf(docOf([v]), [v.stream], { firstEntry: 'evil.json' });
    },
    expected: /first entry is "evil.json"/,
  },
  {
    name: 'an extra entry after the streams',
    file: async () => {
      const v = await forgedVolume(V, plainEntries(V));
      const extra = Buffer.from('surprise');
      return bundleOf(docOf([v]), [v.stream], {
        extra: [entryHeader('../../outside', extra.length, new Date()), extra, padding(extra.length)],
      });
    },
    expected: /does not list/,
  },
  {
    name: 'a hardlink to a file that comes after it',
    file: () =>
      one(
        root([
          { path: `${V}/h`, type: 'Link', linkpath: `${V}/a` },
          { path: `${V}/a`, body: 'x' },
        ]),
      ),
    expected: /not a file staged before it|not a file of this volume/,
  },
  {
    name: 'a file before its parent directory',
    file: () =>
      one(
        root([
          { path: `${V}/d/a`, body: 'x' },
          { path: `${V}/d/`, type: 'Directory' },
        ]),
      ),
    expected: /comes before its parent directory/,
  },
  {
    name: 'a declared size beyond the free space',
    file: () => one(plainEntries(V), (doc) => (doc.volumes[0]!.stream.sizeBytes = 2 ** 43)),
    expected: /needs \d+ MB but the disk/,
  },
  {
    name: 'a foreign .tar.gz with .. under vackup-volume/',
    volume: 'restored',
    file: async () =>
      gzipSync(
        rawTar([
          { path: 'vackup-volume/', type: 'Directory' },
          { path: 'vackup-volume/../../evil', body: 'x' },
        ]),
      ),
    expected: /contains "\.\."/,
  },
  {
    name: 'a foreign .tar with an absolute path',
    volume: 'restored',
    file: async () =>
      rawTar([
        { path: './', type: 'Directory' },
        { path: '/etc/cron.d/evil', body: 'x' },
      ]),
    expected: /absolute path/,
  },
  {
    name: 'a foreign .tar.gz entry outside its vackup-volume/ folder',
    volume: 'restored',
    file: async () =>
      gzipSync(
        rawTar([
          { path: 'vackup-volume/', type: 'Directory' },
          { path: 'elsewhere/x', body: 'x' },
        ]),
      ),
    expected: /outside the archive's top folder/,
  },
  {
    name: 'a foreign .tar.gz decompression bomb',
    volume: 'restored',
    maxExpandedBytes: 8 * 1024 * 1024,
    file: async () =>
      gzipSync(
        rawTar([
          { path: './', type: 'Directory' },
          { path: './zeros', body: Buffer.alloc(32 * 1024 * 1024) },
        ]),
      ),
    expected: /decompression bomb/,
  },
  {
    name: 'a foreign .tar.zst with a device node',
    volume: 'restored',
    file: async () =>
      compress(
        rawTar([
          { path: './', type: 'Directory' },
          { path: './sda', type: 'BlockDevice' },
        ]),
      ),
    expected: /device node or FIFO/,
  },
  {
    name: 'a foreign .tar with a symlink followed by a file through it',
    volume: 'restored',
    file: async () =>
      rawTar([
        { path: './', type: 'Directory' },
        { path: './etc', type: 'SymbolicLink', linkpath: '/etc' },
        { path: './etc/passwd', body: 'root::0:0::/:/bin/sh' },
      ]),
    expected: /through the link etc|under etc, which is a symlink/,
  },
  {
    name: 'a foreign file that is not a tar at all',
    volume: 'restored',
    file: async () => Buffer.from('#!/bin/sh\necho this is not an archive\n'.repeat(40)),
    expected: /not a readable tar|cannot be read as a tar/,
  },
];

describeEngine('import refuses hostile bundles and archives', () => {
  const docker = testDocker();
  const parent = tempDir('volsnap-hostile-');
  const dataDir = path.join(parent.path, 'store');
  let services: Services;
  let bundles: BundleService;

  beforeAll(() => {
    services = createServices({ dataDir, docker });
    bundles = new BundleService({ ...services, leases: services.leases });
  });
  afterAll(() => {
    services.close();
    parent.remove();
  });

  it(`has at least 25 cases`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  describe.each(CASES)('$name', (c) => {
    it('is refused with a clear error, and nothing is stored or left behind', async () => {
      const file = path.join(parent.path, 'input.bin');
      writeFileSync(file, await c.file());
      const attempt = c.volume
        ? importForeignWithLimit(bundles, services, { file, volume: c.volume, max: c.maxExpandedBytes })
        : bundles.import({ file });
      const error = (await attempt.then(
        () => null,
        (e: unknown) => e,
      )) as Error | null;
      expect(error, 'the import must fail').not.toBeNull();
      expect(error!.message).toMatch(c.expected);
      expect(error!.message).toMatch(/Nothing was stored|Update Volsnap|needs \d+ MB/);
      expect(services.catalog.list()).toEqual([]);
      expect(listing(path.join(dataDir, 'archives'))).toEqual([]);
      expect(listing(path.join(dataDir, 'incoming'))).toEqual([]);
      // Nothing written outside the store: the parent holds only the store and the input.
      expect(readdirSync(parent.path).sort()).toEqual(['input.bin', 'store']);
    });
  });

  it('imports the same forged bundle when it is sound (so each refusal is its hostile part)', async () => {
    const file = path.join(parent.path, 'sound.volsnap');
    writeFileSync(file, bundleOfVolumes([await forgedVolume(V, plainEntries(V))]));
    const snapshot = await bundles.import({ file });
    expect(snapshot.status).toBe('ready');
    expect(snapshot.trigger).toBe('import');
    expect(snapshot.specialFiles).toBe('refused');
    expect(snapshot.provenance?.imported?.originalSnapshotId).toBe('a1b2c3d4e5f60718');
    await services.snapshots.delete(snapshot.id, { confirm: snapshot.name });
  });

  it('imports device nodes, FIFOs and setuid files with --allow-special-files, and records it', async () => {
    const file = path.join(parent.path, 'special.volsnap');
    writeFileSync(
      file,
      await one(
        root([
          { path: `${V}/null`, type: 'CharacterDevice' },
          { path: `${V}/fifo`, type: 'FIFO' },
          { path: `${V}/su`, body: '#!/bin/sh', mode: 0o4755 },
        ]),
      ),
    );
    const snapshot = await bundles.import({ file, allowSpecialFiles: true });
    expect(snapshot.specialFiles).toBe('allowed');
    await services.snapshots.delete(snapshot.id, { confirm: snapshot.name });
  });
});

/** Bytes zstd cannot shrink, so a cut lands where the test means it to. */
function noise(length: number): Buffer {
  const blocks = Array.from({ length: Math.ceil(length / 32) }, (_, i) =>
    createHash('sha256').update(String(i)).digest(),
  );
  return Buffer.concat(blocks).subarray(0, length);
}

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function importForeignWithLimit(
  bundles: BundleService,
  services: Services,
  options: { file: string; volume: string; max?: number },
) {
  if (options.max === undefined) return bundles.import({ file: options.file, volume: options.volume });
  const { importForeign } = await import('./foreign-import');
  const { createReadStream } = await import('node:fs');
  return importForeign(services, createReadStream(options.file), {
    fileName: options.file,
    volume: options.volume,
    maxExpandedBytes: options.max,
  });
}
