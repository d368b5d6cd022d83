import { createHash, randomBytes } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive, requestOverHttp10 } from './archive-read';
import { engineCall, type EngineClient as Docker } from './engine';
import { createHelper, removeHelper } from './helper';
import { archiveVolume } from '../services/volume-archiver';
import { describeEngine, runScript, tempDir, testDocker, uniqueName } from '../../test/engine';

async function sha256(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of stream) hash.update(piece as Buffer);
  return hash.digest('hex');
}

describeEngine('readArchive on the Engine', () => {
  const docker = testDocker();
  const volume = uniqueName('http10');
  let helper: Docker.Container;

  beforeAll(async () => {
    await runScript(
      docker,
      [`${volume}:/v`],
      'mkdir /v/d && echo hello > /v/d/a.txt && dd if=/dev/urandom of=/v/big bs=64k count=40 2>/dev/null',
    );
    helper = await createHelper(docker, {
      image: 'busybox:latest',
      volumes: [volume],
      readOnly: true,
      jobId: 'http10',
    });
  });
  afterAll(async () => {
    await removeHelper(helper);
    await docker
      .getVolume(volume)
      .remove()
      .catch(() => undefined);
  });

  it('reads the very tar dockerode reads, from the plain socket', async () => {
    const plain = await readArchive(helper, `/volsnap/${volume}`);
    // Not dockerode's response object: the socket's own stream, read over HTTP/1.0.
    expect(plain).not.toBeInstanceOf(IncomingMessage);
    // One at a time: the Engine holds the container while it streams its archive.
    const read = await sha256(plain);
    expect(read).toBe(await sha256((await helper.getArchive({ path: `/volsnap/${volume}` })) as Readable));
  });

  it("a missing path fails as it does through dockerode: NotFound, with the Engine's words", async () => {
    const what = 'read volume x';
    const words = /Could not find the file \/volsnap\/no-such-dir in container/;
    const viaDockerode = engineCall(what, () => helper.getArchive({ path: '/volsnap/no-such-dir' }));
    await expect(viaDockerode).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(viaDockerode).rejects.toThrow(words);
    const plain = engineCall(what, () => readArchive(helper, '/volsnap/no-such-dir'));
    await expect(plain).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(plain).rejects.toThrow(words);
  });

  it('a capture whose stream the Engine cuts short stores nothing: the tar has no end', async () => {
    // An HTTP/1.0 body ends where the connection closes, finished or not; the tar's end blocks are
    // the proof. A stand-in Engine sends the start of this volume's real tar, then hangs up.
    const whole = await readAll(await readArchive(helper, `/volsnap/${volume}`));
    const dir = tempDir();
    const server = await serve(path.join(dir.path, 'engine.sock'), (socket) => {
      socket.end(
        Buffer.concat([
          Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: application/x-tar\r\n\r\n'),
          whole.subarray(0, 1536 + 64 * 1024),
        ]),
      );
    });
    try {
      const standIn = { id: 'c0ffee', modem: { socketPath: server.path } } as unknown as Docker.Container;
      const archived = archiveVolume({
        helper: standIn,
        volumeName: volume,
        tempPath: path.join(dir.path, 'v.layout'),
        format: 2,
        dataDir: dir.path,
        signal: new AbortController().signal,
        onProgress: () => undefined,
      });
      await expect(archived).rejects.toThrow(/ended early/);
    } finally {
      server.close();
      dir.remove();
    }
  });
});

describe('requestOverHttp10 against answers no Engine should give', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  let n = 0;
  const answer = async (reply: (socket: Socket) => void) => {
    const server = await serve(path.join(dir.path, `s${n++}.sock`), reply);
    try {
      const socket = await requestOverHttp10(server.path, '/containers/x/archive?path=%2Fv');
      return (await readAll(socket)).toString();
    } finally {
      server.close();
    }
  };

  it('a head that comes a byte at a time, with the body right behind it', async () => {
    const reply = Buffer.from('HTTP/1.0 200 OK\r\nX-A: b\r\n\r\nthe body');
    const body = answer((socket) => {
      let i = 0;
      const next = () => (i < reply.length ? socket.write(reply.subarray(i, ++i), next) : socket.end());
      next();
    });
    await expect(body).resolves.toBe('the body');
  });

  it('read into the caller’s buffers: the bytes that came with the head first, pauses honoured', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 7);
    const server = await serve(path.join(dir.path, `s${n++}.sock`), (socket) => {
      socket.write(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), body.subarray(0, 100)]));
      socket.end(body.subarray(100));
    });
    try {
      const answer = await requestOverHttp10(server.path, '/containers/x/archive?path=%2Fv');
      // Rooms of 1,000 bytes in buffers of 64 KiB; the reading pauses after every 256 KiB and
      // resumes 5 ms later, as the capture's flow control does.
      const buffers: Buffer[] = [];
      let current = Buffer.alloc(64 * 1024);
      let used = 0;
      let sincePause = 0;
      const done = new Promise<void>((resolve, reject) => {
        const reading = answer.readInto({
          room: () => current.subarray(used, Math.min(used + 1000, current.length)),
          filled(bytes) {
            used += bytes;
            sincePause += bytes;
            if (used === current.length) {
              buffers.push(current);
              current = Buffer.alloc(64 * 1024);
              used = 0;
            }
            if (sincePause < 256 * 1024) return true;
            sincePause = 0;
            setTimeout(() => reading.resume(), 5);
            return false;
          },
          end: () => {
            buffers.push(current.subarray(0, used));
            resolve();
          },
          error: reject,
        });
      });
      await done;
      const read = Buffer.concat(buffers);
      expect(read.length).toBe(body.length);
      expect(read.equals(body)).toBe(true);
    } finally {
      server.close();
    }
  });

  it.each([
    [
      'an error status with the Engine’s JSON',
      'HTTP/1.0 404 Not Found\r\n\r\n{"message":"no such path"}',
      { statusCode: 404, json: { message: 'no such path' } },
    ],
    [
      'an error status with text',
      'HTTP/1.1 500 Oops\r\n\r\nit broke',
      { statusCode: 500, json: { message: 'it broke' } },
    ],
    ['something that is not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', { message: /not HTTP/ }],
    ['no answer at all', '', { message: /closed the connection before answering/ }],
    ['headers that never end', `HTTP/1.0 200 OK\r\n${'X-Pad: y\r\n'.repeat(8000)}`, { message: /never end/ }],
  ])('%s is an error, never a stream', async (_name, reply, expected) => {
    await expect(answer((socket) => socket.end(reply))).rejects.toMatchObject(expected);
  });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

/** A stand-in Engine on a unix socket: each connection gets `reply` once its request has come. */
async function serve(socketPath: string, reply: (socket: Socket) => void): Promise<Server & { path: string }> {
  const server = createServer((socket) => {
    // A client that hangs up on a bad answer (headers that never end) resets this side: expected.
    socket.on('error', () => undefined);
    socket.once('data', () => reply(socket));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return Object.assign(server, { path: socketPath });
}
