import { connect, type Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import type { EngineClient as Docker } from './engine';

/** The most a response's status line and headers may take: the Engine's are a few hundred bytes. */
const MAX_HEAD_BYTES = 64 * 1024;
/** An error answer's body (the Engine's `{"message": …}`) is read up to this much. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * A container path's tar from the Engine's archive endpoint, for a reader that checks the tar's
 * own end (capture's tar splitter refuses a stream without its end-of-archive blocks).
 *
 * On a local unix socket it asks over HTTP/1.0, so the Engine sends the tar as it is, closing the
 * connection at its end, instead of in HTTP/1.1 chunks: Node's HTTP client hands each chunk to
 * JavaScript as a fresh copy, and a Node reader of the 720 MB bench volume took a quarter more CPU
 * that way than from the plain socket (docs/performance.md, session 17). The end of the bytes is
 * then no proof that the Engine finished, hence the reader's own check. Other engines (TCP, TLS,
 * ssh, Windows pipes, a socket path found later by dockerode) go through dockerode.
 */
export async function readArchive(container: Docker.Container, path: string): Promise<Readable> {
  const socketPath = (container.modem as { socketPath?: unknown }).socketPath;
  if (typeof socketPath !== 'string' || process.platform === 'win32') {
    return (await container.getArchive({ path })) as Readable;
  }
  return requestOverHttp10(
    socketPath,
    `/containers/${encodeURIComponent(container.id)}/archive?path=${encodeURIComponent(path)}`,
  );
}

/**
 * Sends a GET over HTTP/1.0; resolves with the body as a stream once the answer is 200. The body
 * bytes that came with the head go first, then the socket's; destroying the stream closes the socket.
 */
export function requestOverHttp10(socketPath: string, target: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let head = Buffer.alloc(0);
    const stop = () => {
      socket.off('data', onHead);
      socket.off('error', fail);
      socket.off('end', endedEarly);
    };
    const fail = (error: Error) => {
      stop();
      socket.destroy();
      reject(error);
    };
    const endedEarly = () => fail(new Error('the Engine closed the connection before answering'));
    const onHead = (piece: Buffer) => {
      head = Buffer.concat([head, piece]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) fail(new Error('the Engine answered with headers that never end'));
        return;
      }
      stop();
      socket.pause();
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(head.toString('latin1', 0, Math.min(end + 2, 64)));
      const rest = head.subarray(end + 4);
      if (!status) return fail(new Error('the Engine answered with something that is not HTTP'));
      if (status[1] !== '200') return void errorAnswer(socket, Number(status[1]), rest).then(reject, reject);
      resolve(bodyStream(socket, rest));
    };
    socket.on('data', onHead);
    socket.on('error', fail);
    socket.on('end', endedEarly);
    socket.on('connect', () => socket.write(`GET ${target} HTTP/1.0\r\nHost: docker\r\n\r\n`));
  });
}

/** The answer's body: `rest` (what came with the head), then the rest of the socket until it closes. */
function bodyStream(socket: Socket, rest: Buffer): Readable {
  const body = new PassThrough();
  if (rest.length > 0) body.write(rest);
  socket.on('error', (error) => body.destroy(error));
  body.on('close', () => socket.destroy());
  socket.pipe(body);
  return body;
}

/** The Engine's error answer as dockerode reports one: its status code and `{ message }`. */
async function errorAnswer(socket: Socket, statusCode: number, start: Buffer): Promise<Error> {
  const pieces = [start];
  let bytes = start.length;
  try {
    for await (const piece of socket.resume() as AsyncIterable<Buffer>) {
      pieces.push(piece);
      bytes += piece.length;
      if (bytes > MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // The status is what matters; a body cut short still leaves it.
  } finally {
    socket.destroy();
  }
  const text = Buffer.concat(pieces).toString('utf8', 0, Math.min(bytes, MAX_ERROR_BODY_BYTES)).trim();
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: the text itself.
  }
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode, json: { message } });
}
