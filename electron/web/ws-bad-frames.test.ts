import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  containerState,
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
} from '../../test/engine';
import type { Job } from '../../shared/types';
import type { WsMessage } from '../../shared/web-protocol';
import { CLI_BIN, ensureCliBuilt, runCliSync } from '../../test/cli';

/**
 * A real `volsnap serve` process gets frames ws refuses. Before the fix one such frame crashed
 * the process, and a restore it was running stayed half done (container stopped, policy `no`).
 */

/** A masked client frame; `declaredLength` lets a header claim more than is sent. */
function clientFrame(first: number, payload: Buffer, declaredLength = payload.length): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  let header: Buffer;
  if (declaredLength < 126) header = Buffer.from([first, 0x80 | declaredLength]);
  else if (declaredLength < 65_536) {
    header = Buffer.from([first, 0x80 | 126, 0, 0]);
    header.writeUInt16BE(declaredLength, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(declaredLength), 2);
  }
  return Buffer.concat([header, mask, masked]);
}

const BAD_FRAMES: { name: string; frame: Buffer; closeCode: number }[] = [
  { name: 'a reserved opcode', frame: clientFrame(0x80 | 0x3, Buffer.alloc(0)), closeCode: 1002 },
  { name: 'invalid UTF-8 in a text frame', frame: clientFrame(0x80 | 0x1, Buffer.from([0xc3, 0x28])), closeCode: 1007 },
  {
    name: 'a frame over the size limit',
    frame: clientFrame(0x80 | 0x2, Buffer.alloc(16), 8 * 1024 * 1024),
    closeCode: 1009,
  },
];

describeEngine('volsnap serve: a bad WebSocket frame closes that connection only', () => {
  const docker = testDocker();
  const dir = tempDir();
  const dataDir = path.join(dir.path, 'data');
  let serve: ChildProcess;
  let serveLog = '';
  let endpoint: { port: number; token: string };
  let w: TestWorkload;

  const cli = (args: string[]) => runCliSync(dataDir, args);

  beforeAll(async () => {
    ensureCliBuilt();
    const renderer = path.join(dir.path, 'renderer');
    mkdirSync(renderer);
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>ui</title>');
    const vol = uniqueName('wsvol');
    w = await createWorkload(docker, {
      services: [
        { name: uniqueName('wsapp'), volumes: [{ volume: vol, destination: '/data' }], restart: 'unless-stopped' },
      ],
      seed: `echo before > /seed/${vol}/state.txt && dd if=/dev/urandom of=/seed/${vol}/big bs=1M count=32 2>/dev/null`,
    });
    serve = spawn('node', [CLI_BIN, '--data-dir', dataDir, '--json', 'serve', '--port', '0'], {
      env: { ...process.env, VOLSNAP_RENDERER_DIR: renderer },
    });
    serve.stderr!.on('data', (d: Buffer) => (serveLog += d.toString()));
    endpoint = await new Promise((resolve, reject) => {
      let out = '';
      serve.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { port: number; token: string });
      });
      serve.once('exit', (code) => reject(new Error(`volsnap serve exited (${code}): ${serveLog}`)));
    });
  });

  afterAll(async () => {
    if (serve.exitCode === null) {
      serve.kill('SIGTERM');
      await new Promise((resolve) => serve.once('exit', resolve));
    }
    await w.remove();
    dir.remove();
  });

  /** Completes the WebSocket handshake by hand, so the test can then write raw frames. */
  function rawSocket(): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect(endpoint.port, '127.0.0.1');
      let data = Buffer.alloc(0);
      let upgraded = false;
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        if (upgraded) return;
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = data.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
        upgraded = true;
        data = data.subarray(end + 4);
        resolve({ socket, received: () => data, closed });
      });
      const host = `127.0.0.1:${endpoint.port}`;
      socket.write(
        [
          `GET /ws?token=${endpoint.token} HTTP/1.1`,
          `Host: ${host}`,
          `Origin: http://${host}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
  }

  function connect(): Promise<WebSocket> {
    const host = `127.0.0.1:${endpoint.port}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${host}/ws?token=${endpoint.token}`, { headers: { origin: `http://${host}` } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }

  function call(ws: WebSocket, id: number, command: string, input: unknown = {}): Promise<WsMessage> {
    return new Promise((resolve) => {
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as WsMessage;
        if (message.type !== 'result' || message.id !== id) return;
        ws.off('message', onMessage);
        resolve(message);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, command, input }));
    });
  }

  async function serverAnswers(): Promise<void> {
    const ws = await connect();
    try {
      expect(await call(ws, 1, 'getSettings')).toMatchObject({ result: { ok: true } });
    } finally {
      ws.close();
    }
  }

  for (const bad of BAD_FRAMES) {
    it(`${bad.name}: that socket gets close code ${bad.closeCode} and ends; the server keeps serving`, async () => {
      const bystander = await connect();
      const raw = await rawSocket();
      raw.socket.write(bad.frame);
      // The server's close frame: 0x88, length, then the status code (or nothing, if it died).
      await Promise.race([
        raw.closed,
        new Promise<void>((resolve) => {
          const check = () => (raw.received().length >= 4 ? resolve() : raw.socket.once('data', check));
          check();
        }),
      ]);
      const reply = raw.received();
      expect(reply[0]).toBe(0x88);
      expect(reply.readUInt16BE(2)).toBe(bad.closeCode);
      raw.socket.write(clientFrame(0x88, Buffer.from([0x03, 0xe8])));
      await raw.closed;

      expect(serve.exitCode, serveLog).toBeNull();
      expect(await call(bystander, 7, 'getSettings')).toMatchObject({ result: { ok: true } });
      bystander.close();
      await serverAnswers();
    });
  }

  it('a restore started on a connection that is then killed by a bad frame finishes', async () => {
    const captured = cli(['--json', 'capture', w.name, '--name', 'ws-before']);
    expect(captured.code, captured.stderr).toBe(0);
    const expected = await volumeTree(docker, w.volumes[0]!);
    await runScript(docker, [`${w.volumes[0]}:/v`], 'echo after > /v/state.txt && echo new > /v/added.txt');

    const ws = await connect();
    const started = await call(ws, 1, 'restoreSnapshot', { snapshot: 'ws-before', confirm: 'ws-before' });
    expect(started, JSON.stringify(started)).toMatchObject({ result: { ok: true } });
    const { jobId } = (started as { result: { value: { jobId: string } } }).result.value;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    (ws as unknown as { _socket: Socket })._socket.write(clientFrame(0x80 | 0x3, Buffer.alloc(0)));
    await closed;

    const job = await waitForJob(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(serve.exitCode, serveLog).toBeNull();
    expect(await volumeTree(docker, w.volumes[0]!)).toEqual(expected);
    expect(await containerState(docker, w.containers[0]!)).toEqual({
      status: 'running',
      restartPolicy: 'unless-stopped',
    });
  });

  /** Follows the job on a fresh connection until it leaves `running`. */
  async function waitForJob(jobId: string): Promise<Job> {
    const ws = await connect();
    try {
      for (let id = 100; ; id++) {
        const reply = (await call(ws, id, 'listJobs')) as { result: { ok: true; value: Job[] } };
        const job = reply.result.value.find((j) => j.id === jobId);
        if (job && job.status !== 'running') return job;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      ws.close();
    }
  }
});
