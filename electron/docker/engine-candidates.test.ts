import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { assertSupportedEngine, inspectEngine, PROBE_TIMEOUTS } from './engine-candidates';
import { defaultEngine, type EngineTarget } from './engine-resolve';
import { socketPathOf } from './socket-probe';
import { tempDir } from '../../test/engine';

// The `engines` probe against stand-in engines on unix sockets (no real engine needed), each
// answering the way one real engine did.
const dir = tempDir('volsnap-engine-probe-');
let closeServer: (() => Promise<void>) | undefined;

/** Podman 4.3's compat answers, shortened to what the probe reads. */
const ANSWERS: Record<string, unknown> = {
  '/_ping': 'OK',
  '/version': { Version: '4.3.1', ApiVersion: '1.41' },
  '/info': { ID: 'a-new-uuid-each-call', Name: 'vm', DockerRootDir: '/var/lib/containers', BuildahVersion: '1.28.2' },
};

/** A stand-in engine; `handle` decides per path (answer now, later, never, or close the connection). */
async function standIn(
  name: string,
  handle: (path: string, answer: () => void, request: http.IncomingMessage, response: http.ServerResponse) => void,
): Promise<EngineTarget> {
  const socketPath = path.join(dir.path, `${name}.sock`);
  const server = http.createServer((request, response) => {
    const url = request.url ?? '';
    handle(
      url,
      () => {
        const body = ANSWERS[url];
        response.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'application/json' });
        response.end(typeof body === 'string' ? body : JSON.stringify(body ?? { message: 'no' }));
      },
      request,
      response,
    );
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  closeServer = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { ...defaultEngine(), name, endpoint: `unix://${socketPath}`, source: 'context' };
}

afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});
afterAll(() => dir.remove());

describe('volsnap engines: probing one engine', () => {
  it("reaches an engine whose /version and /info are slow, as Podman's compat API is under load", async () => {
    // 6 s each: past the 5 s the probe used to give each request, when `engines` showed the Podman
    // socket as "ECONNRESET" while every other command reached it. /_ping answers at once.
    const engine = await standIn('slow-podman', (url, answer) => {
      if (url === '/_ping') answer();
      else setTimeout(answer, 6_000);
    });
    expect(await inspectEngine(engine)).toEqual({
      reachable: true,
      version: '4.3.1',
      engineId: 'name:vm@/var/lib/containers',
      error: null,
    });
  });

  it('says an engine that never answers was silent, naming the request, not that it reset the connection', async () => {
    const silentInfo = await standIn('silent-info', (url, answer) => url !== '/info' && answer());
    const probe = await inspectEngine(silentInfo, { ...PROBE_TIMEOUTS, info: 300 });
    expect(probe.reachable).toBe(false);
    expect(probe.error).toBe(
      `The Docker Engine at ${silentInfo.endpoint} did not answer /info within 0.3 s. It may be starting or overloaded: try again; if it stays silent, restart it or choose another engine (volsnap config set engine <name>).`,
    );
    await closeServer?.();
    const silent = await standIn('silent', () => undefined);
    const quiet = await inspectEngine(silent, { ...PROBE_TIMEOUTS, ping: 300 });
    expect(quiet.error).toContain(`The Docker Engine at ${silent.endpoint} did not answer /_ping within 0.3 s.`);
  });

  it('still names a real reset: a socket that accepts the connection and then closes it', async () => {
    // A unix socket has no RST: closing it under a request is how a reset reaches the client there.
    const engine = await standIn('reset', (_url, _answer, request) => request.socket.destroy());
    const probe = await inspectEngine(engine);
    expect(probe).toMatchObject({ reachable: false, version: null, engineId: null });
    expect(probe.error).toContain(`Cannot reach the Docker Engine at ${engine.endpoint} (ECONNRESET).`);
    expect(probe.error).toContain('volsnap engines lists them');
  });
});

describe('volsnap refusing an engine too old before a command that changes things', () => {
  /** A stand-in whose /_ping says `pinged` (no header when null) and whose /version says `versioned`. */
  async function apiEngine(
    pinged: string | null,
    versioned: string | null,
  ): Promise<{ docker: Docker; asked: string[] }> {
    const asked: string[] = [];
    const engine = await standIn(`api-${pinged}-${versioned}`, (url, _answer, _request, response) => {
      asked.push(url);
      if (url === '/_ping') {
        response.writeHead(200, pinged === null ? {} : { 'API-Version': pinged });
        response.end('OK');
      } else if (url === '/version' && versioned !== null) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ Version: '20.10.0', ApiVersion: versioned }));
      } else {
        response.writeHead(404, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ message: 'page not found' }));
      }
    });
    return { docker: new Docker({ socketPath: socketPathOf(engine.endpoint) }), asked };
  }

  it("takes the API version from /_ping's header, as the docker CLI does, without asking /version", async () => {
    const old = await apiEngine('1.40', null);
    await expect(assertSupportedEngine(old.docker)).rejects.toThrow(
      /This engine speaks Docker API 1\.40; Volsnap needs 1\.41 or newer/,
    );
    await closeServer?.();
    const current = await apiEngine('1.43', null);
    await assertSupportedEngine(current.docker);
    expect(current.asked).toEqual(['/_ping']);
  });

  it('asks /version when /_ping does not say, and lets an engine that says neither pass', async () => {
    const old = await apiEngine(null, '1.40');
    await expect(assertSupportedEngine(old.docker)).rejects.toThrow(/Docker API 1\.40/);
    await closeServer?.();
    const silent = await apiEngine(null, null);
    await assertSupportedEngine(silent.docker);
    expect(silent.asked).toEqual(['/_ping', '/version']);
  });
});
