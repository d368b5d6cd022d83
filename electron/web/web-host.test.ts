import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { resolveStaticPath } from './static-files';
import { startWebHost, type WebHost } from './web-host';
import { createServices, type Services } from '../services';
import { tempDir } from '../../test/engine';
import type { WsMessage } from '../../shared/web-protocol';

const dir = tempDir();
let services: Services;
let host: WebHost;
let origin: string;

beforeAll(async () => {
  const renderer = path.join(dir.path, 'renderer');
  mkdirSync(renderer);
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>ui</title>');
  writeFileSync(path.join(dir.path, 'secret.txt'), 'outside the renderer');
  services = createServices({ dataDir: path.join(dir.path, 'data') });
  host = await startWebHost({ services, rendererDir: renderer });
  origin = `http://127.0.0.1:${host.port}`;
});

afterAll(async () => {
  await host.close();
  services.close();
  dir.remove();
});

function get(
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: urlPath, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the socket and resolves with it, or rejects with the HTTP status of the refusal. */
function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(String(res.statusCode))));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, frame: unknown): Promise<WsMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as WsMessage;
      if (message.type !== 'result') return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('web host: HTTP', () => {
  it('refuses pages without the token or with a wrong one (401), serves them with it', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    const page = await get(`/?token=${host.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>ui</title>');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('lets the page load its assets with the cookie it set', async () => {
    const page = await get(`/?token=${host.token}`);
    const cookie = String((page.headers['set-cookie'] as string[])[0]).split(';')[0]!;
    expect((await get('/index.html', { cookie })).status).toBe(200);
    expect((await get('/index.html', { cookie: `${cookie.split('=')[0]}=nope` })).status).toBe(401);
  });

  it('never serves a file outside the renderer directory', async () => {
    for (const p of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/..%5csecret.txt', '/%00']) {
      const res = await get(`${p}${p.includes('?') ? '&' : '?'}token=${host.token}`);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('outside the renderer');
    }
    expect(resolveStaticPath('/srv/ui', '/a/../../etc/passwd')).toBeNull();
    expect(resolveStaticPath('/srv/ui', '/')).toBe('/srv/ui/index.html');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`/?token=${host.token}`, { host: `evil.example:${host.port}` })).status).toBe(403);
  });
});

describe('web host: WebSocket', () => {
  it('refuses a missing or wrong token with 401 and a foreign Origin with 403', async () => {
    await expect(connect('', { origin })).rejects.toThrow('401');
    await expect(connect('?token=nope', { origin })).rejects.toThrow('401');
    await expect(connect(`?token=${host.token}`, { origin: 'http://evil.example' })).rejects.toThrow('403');
    await expect(connect(`?token=${host.token}`, {})).rejects.toThrow('403');
  });

  it('answers commands and rejects bad payloads with InvalidInput, staying open', async () => {
    const ws = await connect(`?token=${host.token}`, { origin });
    try {
      const settings = await call(ws, { id: 1, command: 'getSettings', input: {} });
      expect(settings).toMatchObject({ id: 1, result: { ok: true, value: { keepLast: 20 } } });
      const bad = await call(ws, { id: 2, command: 'cancelJob', input: { jobId: '../../etc' } });
      expect(bad).toMatchObject({ id: 2, result: { ok: false, error: { kind: 'InvalidInput' } } });
      const extra = await call(ws, { id: 3, command: 'listSnapshots', input: { workloadId: 'x', evil: true } });
      expect(extra).toMatchObject({ result: { ok: false, error: { kind: 'InvalidInput' } } });
      const unknown = await call(ws, { id: 4, command: 'constructor', input: {} });
      expect(unknown).toMatchObject({
        result: { ok: false, error: { kind: 'InvalidInput', message: 'Unknown command "constructor".' } },
      });
      const garbage = await call(ws, 'not json');
      expect(garbage).toMatchObject({ id: -1, result: { ok: false, error: { kind: 'InvalidInput' } } });
      const invalidSetting = await call(ws, { id: 5, command: 'setSetting', input: { key: 'keepLast', value: 0 } });
      expect(invalidSetting).toMatchObject({ result: { ok: false, error: { kind: 'InvalidInput' } } });
      const after = await call(ws, { id: 6, command: 'getSettings', input: {} });
      expect(after).toMatchObject({ result: { ok: true, value: { keepLast: 20 } } });
    } finally {
      ws.close();
    }
  });
});
