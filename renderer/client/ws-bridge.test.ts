import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createConnectionStore, type ConnectionState } from './connection';
import { createWsBridge } from './ws-bridge';
import type { WsMessage } from '../../shared/web-protocol';

/** A stand-in for `volsnap serve`'s socket: answers every request with ok, on a fixed port once known. */
async function startHost(port = 0): Promise<{ port: number; stop: () => Promise<void> }> {
  const wss = new WebSocketServer({ port, host: '127.0.0.1' });
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const { id } = JSON.parse(data.toString('utf8')) as { id: number };
      const answer: WsMessage = { type: 'result', id, result: { ok: true, value: { ok: true } } };
      socket.send(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  return {
    port: (wss.address() as { port: number }).port,
    stop: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return check();
};

describe('createWsBridge', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('reports a lost server as disconnected (not EngineUnavailable), backs off, and comes back', async () => {
    const host = await startHost();
    stops.push(host.stop);
    const connection = createConnectionStore({ status: 'connecting' });
    const states: ConnectionState[] = [];
    connection.subscribe(() => states.push(connection.get()));
    const bridge = createWsBridge(
      { host: `127.0.0.1:${host.port}`, search: '?token=t', protocol: 'http:' },
      { connection, WebSocket, backoffMs: [20, 40, 80] },
    );
    expect(await bridge.engineStatus({})).toEqual({ ok: true, value: { ok: true } });
    expect(connection.get().status).toBe('connected');

    await host.stop();
    expect(await until(() => states.filter((s) => s.status === 'disconnected').length >= 3)).toBe(true);
    const attempts = states.flatMap((s) => (s.status === 'disconnected' ? [s.attempt] : []));
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);

    // A request made while away waits for the connection instead of failing with a wrong kind.
    const waiting = bridge.engineStatus({});
    const again = await startHost(host.port);
    stops.push(again.stop);
    expect(await until(() => connection.get().status === 'connected')).toBe(true);
    expect(await waiting).toEqual({ ok: true, value: { ok: true } });
  });

  it('fails a request in flight when the server goes, with a message about the server', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    // This host never answers: it drops the connection on the first request.
    wss.on('connection', (socket) => socket.on('message', () => socket.terminate()));
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    stops.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const port = (wss.address() as { port: number }).port;
    const bridge = createWsBridge(
      { host: `127.0.0.1:${port}`, search: '', protocol: 'http:' },
      { WebSocket, backoffMs: [60_000] },
    );
    const result = await bridge.listJobs({});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).not.toBe('EngineUnavailable');
      expect(result.error.message).toContain('connection to `volsnap serve` was lost');
    }
  });
});
