import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Parser } from 'tar';
import { startWebHost, type WebHost } from './web-host';
import { createServices, type Services } from '../services';
import { seedSnapshot } from '../services/snapshot-files/seed.test-util';
import { tempDir } from '../../test/engine';
import { DOWNLOAD_PATH, downloadUrl, UPLOAD_PATH } from '../../shared/file-types';

const TOKEN = 'file-routes-test-token-0123456789abcdef';
const dir = tempDir();
let services: Services;
let host: WebHost;
let origin: string;
let snapshotId: string;
const uploads: string[] = [];

beforeAll(async () => {
  services = createServices({ dataDir: path.join(dir.path, 'data') });
  snapshotId = await seedSnapshot(services, {
    volume: 'appdata',
    entries: [
      { path: '.', type: 'Directory' },
      { path: 'conf', type: 'Directory' },
      { path: 'conf/app.yml', type: 'File', body: 'port: 80\n' },
      { path: 'conf/sub', type: 'Directory' },
      { path: 'conf/sub/x.txt', type: 'File', body: 'deep\n' },
      { path: 'big.bin', type: 'File', body: 'x'.repeat(5000) },
      { path: 'link', type: 'SymbolicLink', linkpath: '/etc/passwd' },
    ],
  });
  host = await startWebHost({
    services,
    rendererDir: path.join(dir.path, 'renderer'),
    token: TOKEN,
    files: {
      maxFolderBytes: 1000,
      maxUploadBytes: 4096,
      onUpload: async (file) => {
        uploads.push(file);
        return { bytes: (await import('node:fs')).statSync(file).size };
      },
    },
  });
  origin = `http://127.0.0.1:${host.port}`;
});

afterAll(async () => {
  await host.close();
  services.close();
  dir.remove();
});

interface Reply {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

function send(method: string, urlPath: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const withToken = (urlPath: string) => `${urlPath}&token=${TOKEN}`;
const fileUrl = (p: string) => withToken(downloadUrl({ snapshot: snapshotId, volume: 'appdata', path: p }));
const errorOf = (r: Reply) => (JSON.parse(r.body.toString()) as { error: { message: string } }).error.message;

function tarNames(bytes: Buffer): string[] {
  const names: string[] = [];
  const parser = new Parser({ onReadEntry: (e) => (names.push(e.path), e.resume()) });
  parser.end(bytes);
  return names;
}

describe('download route', () => {
  it('sends a file as itself, named after it', async () => {
    const r = await send('GET', fileUrl('conf/app.yml'));
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('port: 80\n');
    expect(r.headers['content-disposition']).toContain('filename="app.yml"');
    expect(r.headers['content-length']).toBe('9');
  });

  it('sends a folder as a .tar of exactly its files', async () => {
    const r = await send('GET', fileUrl('conf'), { Origin: origin, 'Sec-Fetch-Site': 'same-origin' });
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toContain('filename="conf.tar"');
    expect(tarNames(r.body).sort()).toEqual(['conf/', 'conf/app.yml', 'conf/sub/', 'conf/sub/x.txt']);
    // The temporary copy the tar is made from is removed once the tar is sent.
    await vi.waitFor(() => expect(readdirSync(path.join(services.dataDir, 'tmp'))).toEqual([]));
  });

  it('refuses a wrong token, a foreign Origin, a cross-site fetch and an unknown Host', async () => {
    const url = downloadUrl({ snapshot: snapshotId, volume: 'appdata', path: 'conf/app.yml' });
    expect((await send('GET', `${url}&token=wrong`)).status).toBe(401);
    expect((await send('GET', url)).status).toBe(401);
    const foreign = await send('GET', withToken(url), { Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.toString()).not.toContain('port: 80');
    expect((await send('GET', withToken(url), { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await send('GET', withToken(url), { Host: `evil.example:${host.port}` })).status).toBe(403);
  });

  it('refuses an encoded traversal and paths that are not in the snapshot, reading no host file', async () => {
    const traversal = await send(
      'GET',
      withToken(`${DOWNLOAD_PATH}?snapshot=${snapshotId}&volume=appdata&path=%2e%2e%2f%2e%2e%2fetc%2fpasswd`),
    );
    expect(traversal.status).toBe(400);
    expect(errorOf(traversal)).toContain('contains ".."');
    const absolute = await send(
      'GET',
      withToken(`${DOWNLOAD_PATH}?snapshot=${snapshotId}&volume=appdata&path=%2fetc%2fpasswd`),
    );
    expect(absolute.status).toBe(404);
    expect(errorOf(absolute)).toMatch(/etc\/passwd is not in volume appdata/);
    const link = await send('GET', fileUrl('link'));
    expect(link.status).toBe(400);
    expect(errorOf(link)).toMatch(/link is a symlink, not a file/);
    const unknown = await send('GET', withToken(`${DOWNLOAD_PATH}?snapshot=ffffffffffffffff&volume=appdata&path=x`));
    expect(unknown.status).toBe(404);
  });

  it('refuses a folder bigger than the limit', async () => {
    const r = await send('GET', fileUrl('.'));
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatch(/more than a browser download allows.*volsnap extract/);
  });
});

describe('upload route', () => {
  it('streams a body to a temp file in the store and hands it over', async () => {
    const r = await send('POST', withToken(`${UPLOAD_PATH}?x=1`), { Origin: origin }, Buffer.alloc(3000, 1));
    expect(r.status, r.body.toString()).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ ok: true, value: { bytes: 3000 } });
    expect(path.dirname(uploads[0]!)).toBe(path.join(services.dataDir, 'tmp'));
    expect(readdirSync(path.join(services.dataDir, 'tmp'))).toEqual([]);
  });

  it('needs the token and the page’s Origin', async () => {
    expect((await send('POST', `${UPLOAD_PATH}?token=nope`, { Origin: origin }, Buffer.from('x'))).status).toBe(401);
    expect((await send('POST', withToken(`${UPLOAD_PATH}?x=1`), {}, Buffer.from('x'))).status).toBe(403);
    expect(
      (await send('POST', withToken(`${UPLOAD_PATH}?x=1`), { Origin: 'http://evil.example' }, Buffer.from('x'))).status,
    ).toBe(403);
    expect((await send('GET', withToken(`${UPLOAD_PATH}?x=1`), { Origin: origin })).status).toBe(405);
    expect(uploads).toHaveLength(1);
  });

  it('refuses a body over the limit, declared or streamed, and keeps nothing', async () => {
    const declared = await send('POST', withToken(`${UPLOAD_PATH}?x=1`), { Origin: origin }, Buffer.alloc(5000, 1));
    expect(declared.status).toBe(413);
    const streamed = await new Promise<number>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          method: 'POST',
          path: withToken(`${UPLOAD_PATH}?x=1`),
          headers: { Origin: origin },
        },
        (res) => (res.resume(), resolve(res.statusCode ?? 0)),
      );
      req.on('error', () => resolve(-1));
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(1000, 2));
      req.end();
    });
    expect([413, -1]).toContain(streamed);
    expect(readdirSync(path.join(services.dataDir, 'tmp'))).toEqual([]);
    expect(uploads).toHaveLength(1);
  });
});
