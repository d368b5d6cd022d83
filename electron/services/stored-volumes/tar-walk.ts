import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';

/** What an entry handler tells the walk: go on, or stop reading the tar here. */
export type WalkStep = 'next' | 'stop';

/**
 * Reads a volume's tar entry by entry, handing each to `onEntry` in tar order and waiting for it:
 * the handler consumes the entry's data (pipes or resumes it) before the next one is parsed, so
 * an extract can mkdir, write and chmod without racing the parser, and a slow disk slows the
 * reading instead of filling memory. `stop` ends the read early (a `cat` of one file).
 */
export async function walkTar(tar: Readable, onEntry: (entry: ReadEntry) => Promise<WalkStep>): Promise<void> {
  const stop = new AbortController();
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  let stopped = false;
  const sink = new TarSink((entry) => {
    // Entries without data may end before the handler runs: the chain keeps them in order anyway.
    entry.pause();
    chain = chain.then(async () => {
      if (failure !== null || stopped) return void entry.resume();
      try {
        if ((await onEntry(entry)) === 'stop') {
          stopped = true;
          stop.abort();
        }
      } catch (error) {
        failure ??= error;
        entry.resume();
        stop.abort();
      }
    });
  });
  try {
    await pipeline(tar, sink, { signal: stop.signal });
  } catch (error) {
    if (!stop.signal.aborted) failure ??= error;
  }
  await chain;
  if (failure !== null) throw failure instanceof Error ? failure : new Error('the archive could not be read');
}

/** A Writable over tar's Parser (which is not a stream), passing its backpressure and errors on. */
class TarSink extends Writable {
  private readonly parser: Parser;
  private parseError: Error | null = null;

  constructor(onReadEntry: (entry: ReadEntry) => void) {
    super();
    this.parser = new Parser({ strict: true, onReadEntry });
    this.parser.on('error', (error: Error) => (this.parseError ??= error));
    this.parser.on('warn', (_code: string, message: string | Error) => {
      this.parseError ??= message instanceof Error ? message : new Error(message);
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.parser.write(chunk)) callback(this.parseError);
    else this.parser.once('drain', () => callback(this.parseError));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.parser.once('end', () => callback(this.parseError));
    this.parser.end();
  }
}

/** A Writable in front of tar's Parser, so `pipeline` drives it with backpressure and sees its errors. */
export function parserSink(parser: Parser): Writable {
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', () => resolve());
    parser.on('error', reject);
  });
  ended.catch(() => undefined);
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (parser.write(chunk)) callback();
      else parser.once('drain', () => callback());
    },
    final(callback) {
      parser.end();
      ended.then(() => callback(), callback);
    },
  });
}
