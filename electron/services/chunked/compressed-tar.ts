import { Compressor } from 'zstd-napi';
import type { ChunkReader, ReadFramesOptions } from './chunk-reader';
import type { ChunkLocation } from '../../store/chunks/chunk-index';
import type { TarLayout } from './tar-layout';

/**
 * The volume's tar as a zstd stream, without compressing file contents again: each chunk is
 * stored as a whole zstd frame, and a zstd stream may be any sequence of frames, so the stream is
 * the bytes between file contents (headers, padding: the layout's) compressed into a frame of
 * their own, followed by the file's stored chunk frames as they are. Decompressed, it is the tar
 * `regenerateTar` gives, byte for byte. The same layout and store give the same bytes every time
 * (zstd at a fixed level is deterministic), which is what lets export measure the stream in one
 * pass and send it in another, and push know its size before reading a chunk (`StreamPlan`).
 *
 * Yields one frame at a time (a few KiB to 128 KiB).
 */
export async function* compressedTar(
  plan: StreamPlan,
  reader: ChunkReader,
  options: CompressedTarOptions,
): AsyncGenerator<Buffer> {
  const frames = reader.readFrames(plan.hashes, options);
  const { layout, metaFrames } = plan;
  const total = tarBytes(layout);
  let done = 0;
  let next = 0;
  try {
    for (const part of layout.parts) {
      done += part.meta.length;
      const count = part.file?.chunks.length ?? 0;
      if (count === 0) continue;
      yield metaFrames[next++]!;
      done += part.file!.size;
      for (let i = 0; i < count; i++) yield (await frames.next()).value as Buffer;
      options.onTarBytes?.(done, total);
    }
  } finally {
    await frames.return(undefined);
  }
  yield metaFrames[next]!;
  options.onTarBytes?.(total, total);
}

/**
 * What a volume's stream is made of, in order: the frames of the bytes between file contents
 * (compressed once, here: a few bytes per file) and the chunk hashes, whose stored frames follow
 * each of them but the last.
 */
export interface StreamPlan {
  layout: TarLayout;
  metaFrames: Buffer[];
  hashes: Buffer[];
}

export function streamPlan(layout: TarLayout): StreamPlan {
  // The kept bytes between two files' contents, one frame at capture's level, by one compressor
  // set up once: zstd-napi's `compress` sets its parameters again on every call (20,000 small
  // frames took 111-115 ms that way, 67-72 ms so).
  const compressor = new Compressor();
  compressor.setParameters({ compressionLevel: 1 });
  const metaFrame = (pieces: Buffer[]) => compressor.compress(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
  const metaFrames: Buffer[] = [];
  let between: Buffer[] = [];
  for (const part of layout.parts) {
    between.push(part.meta);
    // An empty file has no chunk: its header joins the next file's, one frame for both.
    if ((part.file?.chunks.length ?? 0) === 0) continue;
    metaFrames.push(metaFrame(between));
    between = [];
  }
  between.push(layout.tail);
  metaFrames.push(metaFrame(between));
  const hashes = layout.parts.flatMap((part) => part.file?.chunks ?? []).map((hex) => Buffer.from(hex, 'hex'));
  return { layout, metaFrames, hashes };
}

/** The stream's size: its meta frames and its chunks' stored frames (`located`: the plan's hashes, looked up). */
export function planBytes(plan: StreamPlan, located: readonly ChunkLocation[]): number {
  const frames = located.reduce((sum, where) => sum + where.storedLength, 0);
  return plan.metaFrames.reduce((sum, frame) => sum + frame.length, frames);
}

/** How the chunk frames are read (`check`: decompressed and hashed on the way, for a pass no earlier one measured). */
export interface CompressedTarOptions extends ReadFramesOptions {
  /** Bytes of the tar covered so far, of its whole size; may throw to stop (a cancel). */
  onTarBytes?: (done: number, total: number) => void;
}

/** The size of the tar a layout regenerates. */
function tarBytes(layout: TarLayout): number {
  return layout.parts.reduce((sum, part) => sum + part.meta.length + (part.file?.size ?? 0), layout.tail.length);
}

/** Pieces handed to a writer are about this size. */
const PIECE_BYTES = 1024 * 1024;
/** A frame this large goes out as it is: copying it into a piece would cost more than its write. */
const OWN_PIECE_BYTES = 256 * 1024;

/** `frames` gathered into pieces of about 1 MiB: one write per MiB, not one per frame. */
export async function* inPieces(frames: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for await (const frame of frames) {
    if (frame.length >= OWN_PIECE_BYTES) {
      if (bytes > 0) yield Buffer.concat(pending, bytes);
      pending = [];
      bytes = 0;
      yield frame;
      continue;
    }
    pending.push(frame);
    bytes += frame.length;
    if (bytes < PIECE_BYTES) continue;
    yield Buffer.concat(pending, bytes);
    pending = [];
    bytes = 0;
  }
  if (bytes > 0) yield Buffer.concat(pending, bytes);
}
