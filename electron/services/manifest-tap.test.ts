import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { ManifestTap } from './manifest-tap';

/** A tar of the given entries (each a folder or a small file), as an engine's archive endpoint sends it. */
function tarOf(entries: { path: string; body?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.body === undefined ? 'Directory' : 'File',
      size: body.length,
      mode: entry.body === undefined ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function tap(rootName: string, tar: Buffer): Promise<ManifestTap> {
  const manifest = new ManifestTap(rootName);
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(Readable.from([tar]), manifest, discard);
  return manifest;
}

describe('ManifestTap', () => {
  it("records a Docker-style archive relative to the volume's folder", async () => {
    const manifest = await tap('vol', tarOf([{ path: 'vol/' }, { path: 'vol/a.txt', body: 'hello' }]));
    expect(manifest.result().entries.map((e) => e.path)).toEqual(['.', 'a.txt']);
  });

  it("refuses an archive whose entries are outside the volume's folder (Podman's `/`, `/a.txt`)", async () => {
    const refused = await tap('vol', tarOf([{ path: '/' }, { path: '/a.txt', body: 'hello' }])).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ kind: 'Unsupported' });
    expect((refused as Error).message).toMatch(/outside the volume's folder .*nothing was stored/);
  });
});
