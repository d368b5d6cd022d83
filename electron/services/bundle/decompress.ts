import { spawn } from 'node:child_process';
import { Duplex, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ZstdDecompress } from '../zstd-decompress';
import { VolsnapError } from '../../../shared/errors';
import type { ImportProvenance } from '../../../shared/types';

export type ForeignFormat = Exclude<ImportProvenance['source'], 'bundle'>;

/**
 * Reads the first bytes of `source` to tell a tar from a gzip, zstd or bzip2 stream (by magic
 * number, never by file name: standard input has none); returns the stages that yield plain tar
 * (the source and its decompressor), for the caller's pipeline.
 */
export async function plainTar(source: Readable): Promise<{ format: ForeignFormat; stages: [Readable, ...Duplex[]] }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  while (head.length < 4) {
    const next = await iterator.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  const whole = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
    { objectMode: false },
  );
  const format = formatOf(head);
  switch (format) {
    case 'tar.gz':
      return { format, stages: [whole, createGunzip()] };
    case 'tar.zst':
      return { format, stages: [whole, new ZstdDecompress()] };
    case 'tar.bz2':
      return { format, stages: [whole, bunzip2()] };
    default:
      return { format, stages: [whole] };
  }
}

function formatOf(head: Buffer): ForeignFormat {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'tar.zst';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'tar.bz2';
  return 'tar';
}

/**
 * bzip2 through Debian's `bzip2` binary: no maintained npm package decompresses it as a stream
 * (see docs/decisions.md). The child only ever sees bytes on stdin and writes bytes to stdout.
 */
function bunzip2(): Duplex {
  const child = spawn('bzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout });
  child.on('error', (error: NodeJS.ErrnoException) =>
    duplex.destroy(
      error.code === 'ENOENT'
        ? new VolsnapError('Unsupported', 'Importing .tar.bz2 needs the bzip2 program; install it (apt install bzip2).')
        : error,
    ),
  );
  child.on('close', (code) => {
    if (code !== 0 && code !== null) duplex.destroy(new Error(`bzip2 could not decompress it: ${stderr.trim()}`));
  });
  duplex.on('close', () => child.kill());
  return duplex;
}
