import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
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
 * Where a body's bytes go when they are read straight into the caller's own buffers: the socket's
 * reads land in `room()`, with no buffer allocated and no copy made per read (for the capture's
 * 720 MB bench volume, a third less CPU than a stream's fresh 64 KiB pieces copied into its
 * batches: docs/performance.md, session 20).
 */
export interface ByteSink {
  /** Room for the next read: the free end of the caller's current buffer, never empty. */
  room(): Buffer;
  /** The last read put `bytes` bytes at the start of the room given before it; false pauses the reading. */
  filled(bytes: number): boolean;
  /** The Engine closed the connection: the body's end (no proof that it finished; see readArchive). */
  end(): void;
  error(error: Error): void;
}

/**
 * Copies `bytes` into `sink`'s rooms (bytes no read put there itself: a stream's pieces, what came
 * before `readInto`); false when the sink asked to pause.
 */
export function copyToSink(bytes: Buffer, sink: ByteSink): boolean {
  let more = true;
  for (let at = 0; at < bytes.length;) {
    const copied = bytes.copy(sink.room(), 0, at);
    at += copied;
    more = sink.filled(copied);
  }
  return more;
}

/**
 * An answer's body on a local socket. A Readable (each read copied into a piece of its own, as any
 * stream), or, with `readInto`, read straight into the caller's buffers.
 */
export class SocketBody extends Readable {
  private sink: ByteSink | null = null;
  /** The Readable side's reads land here and are copied out; so does a read asked for before `readInto`. */
  private readonly scratch = Buffer.allocUnsafe(64 * 1024);
  /** Where the socket's next read lands: the socket asks for it after each read. */
  private landing: Buffer = this.scratch;

  constructor(
    private readonly socket: Socket,
    /** What came with the head: the body's first bytes. */
    private first: Buffer,
  ) {
    super();
    socket.on('end', () => (this.sink ? this.sink.end() : this.push(null)));
    socket.on('error', (error) => (this.sink ? this.sink.error(error) : this.destroy(error)));
  }

  /**
   * Reads the body from here on into `sink` instead of the Readable side (use one or the other).
   * Returns how to resume reading after `filled` paused it.
   */
  readInto(sink: ByteSink): { resume(): void } {
    this.sink = sink;
    const more = copyToSink(this.first, sink);
    this.first = Buffer.alloc(0);
    if (more) this.socket.resume();
    return { resume: () => this.socket.resume() };
  }

  /** Where the socket's next read goes. */
  room(): Buffer {
    this.landing = this.sink ? this.sink.room() : this.scratch;
    return this.landing;
  }

  /** The socket's last read put `bytes` bytes where it was told to; false pauses the socket. */
  took(bytes: number): boolean {
    if (this.landing !== this.scratch) return this.sink!.filled(bytes);
    const read = this.scratch.subarray(0, bytes);
    return this.sink ? copyToSink(read, this.sink) : this.push(Buffer.from(read));
  }

  override _read(): void {
    if (this.first.length > 0) {
      const first = this.first;
      this.first = Buffer.alloc(0);
      if (!this.push(first)) return;
    }
    this.socket.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}

/**
 * Sends a GET over HTTP/1.0; resolves with the body once the answer is 200. The socket reads into
 * buffers it is given (`onread`): the head's into one of its own, the body's into the body's.
 */
export function requestOverHttp10(socketPath: string, target: string): Promise<SocketBody> {
  return new Promise((resolve, reject) => {
    const head = Buffer.allocUnsafe(MAX_HEAD_BYTES);
    let headBytes = 0;
    let body: SocketBody | null = null;
    const socket = connect({
      path: socketPath,
      onread: {
        // A head that filled its buffer has failed and its socket reads no more.
        buffer: () => (body ? body.room() : head.subarray(headBytes < head.length ? headBytes : 0)),
        callback: (bytes: number) => (body ? body.took(bytes) : onHead(bytes)),
      },
    });
    const stop = () => {
      socket.off('error', fail);
      socket.off('end', endedEarly);
    };
    const fail = (error: Error) => {
      stop();
      socket.destroy();
      reject(error);
    };
    const endedEarly = () => fail(new Error('the Engine closed the connection before answering'));
    /** Reads the head; once whole, the socket stays paused until the body is read. */
    const onHead = (bytes: number): boolean => {
      headBytes += bytes;
      const end = head.subarray(0, headBytes).indexOf('\r\n\r\n');
      if (end < 0) {
        if (headBytes === head.length) fail(new Error('the Engine answered with headers that never end'));
        return true;
      }
      stop();
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(head.toString('latin1', 0, Math.min(end + 2, 64)));
      if (!status) {
        fail(new Error('the Engine answered with something that is not HTTP'));
        return false;
      }
      body = new SocketBody(socket, Buffer.from(head.subarray(end + 4, headBytes)));
      if (status[1] === '200') resolve(body);
      else void errorAnswer(body, Number(status[1])).then(reject, reject);
      return false;
    };
    socket.on('error', fail);
    socket.on('end', endedEarly);
    socket.on('connect', () => socket.write(`GET ${target} HTTP/1.0\r\nHost: docker\r\n\r\n`));
  });
}

/** The Engine's error answer as dockerode reports one: its status code and `{ message }`. */
async function errorAnswer(body: Readable, statusCode: number): Promise<Error> {
  const pieces: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const piece of body as AsyncIterable<Buffer>) {
      pieces.push(piece);
      bytes += piece.length;
      if (bytes > MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // The status is what matters; a body cut short still leaves it.
  } finally {
    body.destroy();
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
