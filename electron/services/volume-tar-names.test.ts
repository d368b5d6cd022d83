import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { Header, Parser, Pax, type ReadEntry } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestTap } from './manifest-tap';
import { volumeTarNames } from './volume-tar-names';
import { describeEngine, runScript, testDocker, uniqueName } from '../../test/engine';

/**
 * Podman 4.3.1's answer to `GET /containers/<helper>/archive?path=/volsnap/fixvol` (the volume
 * mounted there), recorded with scripts/check-podman.sh's service after FILL_VOLUME below: entries
 * `/`, `/a.txt`, a PAX `path` and a PAX `linkpath` for the deep file and its hardlink, a ustar prefix.
 */
const PODMAN_FIXVOL = gunzipSync(
  Buffer.from(
    'H4sIAAAAAAACA+2ZTW6DMBCFve4puEDjf3vVfZe9gilWqRqFCDsKx69h0SqoTUTpuEWeb2MkWICe38zzQAk8LGG1ntbEfJ2uuZZM' +
      'Wi6FMYRxzhUnlc7wbuQUouvTq/RdF689d+v+/OM2AnW7OER4/Y1SV/RXM/1F2gCkYqg/ON3B3xGkWKirw/3+9fAGXf+tXVD/lZGW' +
      'VIL6+EyPLoRzg/4H0r9ZAVT/F8oK7P9Z8CsAy3+Kaas3rn8OY/0CL2B85srb+U9f6m+kTttl2/lvlf40hy0nGu+PGAALzn9Pbnj0' +
      'rvF92DHa7gVQ/vvC9x/+l8pe9ALGmR3Pf0NO/xeqv5C8GuP/0cX24e9qFoXtQ1jhvvU/jOUXzn9m+U9qppP/eY79WPr5L5zqfzj/' +
      'NVri+S+X/rSGnQH/YP5rmcH5bw7iucPmWHL/H/3fur4BLAGL+z9XSpqx/2f4OVW4/xEEKZd3Ygy7EgAiAAA=',
    'base64',
  ),
);
const D = 'd'.repeat(60);
const E = 'e'.repeat(60);
const G = `${'g'.repeat(90)}.txt`;
const FILL_VOLUME =
  'cd /v && echo one > a.txt && mkdir sub && echo two > sub/b.txt && ln a.txt sub/hard.txt && ' +
  `ln -s /etc/passwd abs-link && mkdir -p ${D}/${E} && echo deep > ${D}/${E}/${G} && ln ${D}/${E}/${G} hl2`;

interface Forged {
  path: string;
  type?: 'Directory' | 'File' | 'Link' | 'SymbolicLink';
  body?: string;
  linkpath?: string;
}

/** A tar as Go's archive/tar writes it: ustar headers, a PAX header first when a name does not fit. */
function forge(entries: Forged[], end = true): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const data = {
      path: entry.path,
      type: entry.type ?? (entry.body === undefined ? 'Directory' : 'File'),
      linkpath: entry.linkpath,
      size: body.length,
      mode: 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    } as const;
    const header = new Header(data);
    if (header.encode()) blocks.push(new Pax({ path: entry.path, linkpath: entry.linkpath }).encode());
    blocks.push(header.block!, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  if (end) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A GNU long-name ('L') or long-link ('K') header and its body. */
function gnuLong(type: 'L' | 'K', value: string): Buffer {
  const body = Buffer.from(`${value}\0`);
  const header = Buffer.alloc(512);
  new Header({ path: '././@LongLink', size: body.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }).encode(
    header,
  );
  header[156] = type.charCodeAt(0);
  rechecksum(header);
  return Buffer.concat([header, body, Buffer.alloc(512 - body.length)]);
}

function rechecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

function chunksOf(buffer: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size));
  return chunks;
}

/** The chunks that come out of volumeTarNames for these chunks in. */
async function rename(rootName: string, chunks: Buffer[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const collect = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      out.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(chunks, { objectMode: false }), volumeTarNames(rootName), collect);
  return out;
}

/** What a strict tar reader (node-tar, checksums checked) sees in `tar`. */
async function listing(tar: Buffer): Promise<{ path: string; type: string; linkpath: string; body: string }[]> {
  const rows: { path: string; type: string; linkpath: string; body: string }[] = [];
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const row = { path: entry.path, type: entry.type, linkpath: entry.linkpath ?? '', body: '' };
      rows.push(row);
      entry.on('data', (data: Buffer) => (row.body += data.toString()));
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('warn', (_code: string, message: string | Error) => reject(new Error(String(message))));
    parser.on('end', () => resolve());
    parser.end(tar);
  });
  return rows;
}

async function manifestOf(rootName: string, tar: Buffer) {
  const tap = new ManifestTap(rootName);
  await pipeline(Readable.from([tar]), tap, new Writable({ write: (_c, _e, done) => done() }));
  return tap
    .result()
    .entries.map(({ path, type, size, sha256, linkTarget }) => ({ path, type, size, sha256, linkTarget }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

describe('volumeTarNames', () => {
  it("passes Docker's archive through untouched: the same bytes, the very same chunks", async () => {
    const tar = forge([
      { path: 'vol/' },
      { path: 'vol/a.txt', body: 'one' },
      { path: `vol/${D}/${E}/${G}`, body: 'deep' },
      { path: 'vol/hl', type: 'Link', linkpath: `vol/${D}/${E}/${G}` },
    ]);
    const chunks = chunksOf(tar, 300);
    const out = await rename('vol', chunks);
    expect(Buffer.concat(out).equals(tar)).toBe(true);
    expect(out.length).toBe(chunks.length);
    out.forEach((chunk, i) => expect(chunk).toBe(chunks[i]));
  });

  it("renames Podman's mount-point archive to Docker's names, hardlinks and PAX names included", async () => {
    const renamed = Buffer.concat(await rename('fixvol', [PODMAN_FIXVOL]));
    const rows = await listing(renamed);
    expect(rows.map((r) => [r.path, r.type, r.linkpath])).toEqual([
      ['fixvol/', 'Directory', ''],
      ['fixvol/a.txt', 'File', ''],
      ['fixvol/abs-link', 'SymbolicLink', '/etc/passwd'],
      [`fixvol/${D}`, 'Directory', ''],
      [`fixvol/${D}/${E}`, 'Directory', ''],
      [`fixvol/${D}/${E}/${G}`, 'File', ''],
      ['fixvol/hl2', 'Link', `fixvol/${D}/${E}/${G}`],
      ['fixvol/sub', 'Directory', ''],
      ['fixvol/sub/b.txt', 'File', ''],
      ['fixvol/sub/hard.txt', 'Link', 'fixvol/a.txt'],
    ]);
    expect(rows.find((r) => r.path.endsWith(G))?.body).toBe('deep\n');
    // Capture's manifest accepts it (it refuses `/`-named entries) and reads it as Docker's.
    const manifest = await manifestOf('fixvol', renamed);
    expect(manifest.map((e) => e.path)).toContain(`${D}/${E}/${G}`);
    expect(manifest.find((e) => e.path === 'hl2')?.linkTarget).toBe(`${D}/${E}/${G}`);
  });

  it('gives the same bytes however the stream is cut', async () => {
    const whole = Buffer.concat(await rename('fixvol', [PODMAN_FIXVOL]));
    for (const size of [1, 7, 511, 513, 4096]) {
      expect(Buffer.concat(await rename('fixvol', chunksOf(PODMAN_FIXVOL, size))).equals(whole)).toBe(true);
    }
  });

  it('adds a PAX record when a renamed name or hardlink target no longer fits its header field', async () => {
    const name = 'n'.repeat(98);
    const tar = forge([
      { path: '/' },
      { path: `/${name}`, body: 'x' },
      { path: '/h', type: 'Link', linkpath: `/${name}` },
    ]);
    const rows = await listing(Buffer.concat(await rename('a-rather-long-volume-name', [tar])));
    expect(rows.map((r) => [r.path, r.linkpath])).toEqual([
      ['a-rather-long-volume-name/', ''],
      [`a-rather-long-volume-name/${name}`, ''],
      ['a-rather-long-volume-name/h', `a-rather-long-volume-name/${name}`],
    ]);
  });

  it('renames GNU long names and long link names', async () => {
    const long = `/${'q'.repeat(150)}`;
    const [root, file, end] = [
      forge([{ path: '/' }], false),
      forge([{ path: long, body: 'q' }], false),
      Buffer.alloc(1024),
    ];
    const fileBody = file.subarray(file.length - 1024); // the file's own header and body, without its PAX header
    const link = forge([{ path: '/l', type: 'Link', linkpath: '/placeholder' }], false);
    const tar = Buffer.concat([root, gnuLong('L', long), fileBody, gnuLong('K', long), link, end]);
    const rows = await listing(Buffer.concat(await rename('vol', [tar])));
    expect(rows.map((r) => [r.path, r.linkpath])).toEqual([
      ['vol/', ''],
      [`vol${long}`, ''],
      ['vol/l', `vol${long}`],
    ]);
  });

  describe('refuses what is malformed, with Integrity', () => {
    const podman = forge([{ path: '/' }, { path: '/a.txt', body: 'x'.repeat(700) }]);
    const refusal = (rootName: string, tar: Buffer) =>
      rename(rootName, [tar]).then(
        () => null,
        (error: unknown) => error,
      );

    it.each([
      ['cut in the middle of a body', podman.subarray(0, 1200), /ends in the middle of an entry/],
      ['cut before the end-of-archive blocks', podman.subarray(0, 512 * 4), /ends before its end-of-archive marker/],
      ['cut inside the first header', podman.subarray(0, 200), /ends before its first entry/],
      [
        'an entry outside the mount point',
        forge([{ path: '/' }, { path: 'etc/passwd', body: 'x' }]),
        /not under the mount point/,
      ],
      ['an entry that climbs out', forge([{ path: '/' }, { path: '/../x', body: 'x' }]), /climbs out/],
      [
        'an extended header with no entry',
        Buffer.concat([forge([{ path: '/' }], false), gnuLong('L', '/x'), Buffer.alloc(1024)]),
        /describes no entry/,
      ],
    ])('%s', async (_what, tar, message) => {
      const error = await refusal('vol', tar);
      expect(error).toMatchObject({ kind: 'Integrity' });
      expect((error as Error).message).toMatch(message);
    });

    it('a header whose checksum does not match', async () => {
      const bad = Buffer.from(podman);
      bad[512 + 10] = 0x41; // inside the second header's name
      expect(await refusal('vol', bad)).toMatchObject({ kind: 'Integrity' });
      expect(String(await refusal('vol', bad))).toMatch(/checksum/);
      const badFirst = Buffer.from(podman);
      badFirst[10] = 0x41;
      expect(await refusal('vol', badFirst)).toMatchObject({ kind: 'Integrity' });
      expect(String(await refusal('vol', badFirst))).toMatch(/first header's checksum/);
    });
  });
});

describeEngine("Docker's archive of the same volume", () => {
  const volume = uniqueName('volsnap-tarnames');
  afterAll(async () => {
    await testDocker()
      .getVolume(volume)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it(
    "goes through byte for byte, and Podman's renamed archive describes the same files",
    { timeout: 120_000 },
    async () => {
      const docker = testDocker();
      await docker.createVolume({ Name: volume });
      await runScript(docker, [`${volume}:/v`], FILL_VOLUME);
      const helper = await docker.createContainer({
        Image: 'busybox:latest',
        Cmd: ['true'],
        Labels: { 'io.volsnap.test': '1' },
        HostConfig: { NetworkMode: 'none', Binds: [`${volume}:/volsnap/${volume}:ro`] },
      });
      try {
        const stream = await helper.getArchive({ path: `/volsnap/${volume}` });
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const dockerTar = Buffer.concat(chunks);
        const passed = Buffer.concat(await rename(volume, chunksOf(dockerTar, 64 * 1024)));
        expect(createHash('sha256').update(passed).digest('hex')).toBe(
          createHash('sha256').update(dockerTar).digest('hex'),
        );

        const fromPodman = await manifestOf('fixvol', Buffer.concat(await rename('fixvol', [PODMAN_FIXVOL])));
        expect(fromPodman).toEqual(await manifestOf(volume, dockerTar));
      } finally {
        await helper.remove({ force: true });
      }
    },
  );
});
