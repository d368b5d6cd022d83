import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { decompress } from 'zstd-napi';
import { VolsnapError } from '../../../shared/errors';
import type { ChunkIndex } from '../../store/chunks/chunk-index';
import type { PackFiles } from './pack-files';

/** Open pack handles kept for sequential reads; a file's chunks mostly sit in one or two packs. */
const OPEN_PACKS = 8;

/**
 * Returns a chunk's bytes by hash, checking them against the hash: a damaged pack is reported,
 * never passed on as a file's contents. Call `close` when done.
 */
export class ChunkReader {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(
    private readonly index: ChunkIndex,
    private readonly packs: PackFiles,
  ) {}

  async read(hash: Buffer): Promise<Buffer> {
    const where = this.index.lookup(hash);
    const name = hash.toString('hex');
    if (!where) {
      throw new VolsnapError(
        'Integrity',
        `The store has no chunk ${name}. Run \`volsnap verify\` to see which snapshots are affected.`,
      );
    }
    const handle = await this.handle(where.packId);
    const frame = Buffer.allocUnsafe(where.storedLength);
    const { bytesRead } = await handle.read(frame, 0, frame.length, where.offset);
    const bytes = bytesRead === frame.length ? tryDecompress(frame) : null;
    if (!bytes || bytes.length !== where.rawLength || !createHash('sha256').update(bytes).digest().equals(hash)) {
      throw new VolsnapError(
        'Integrity',
        `Chunk ${name} in pack ${where.packId} is damaged. Run \`volsnap verify\` to see which snapshots are affected.`,
      );
    }
    return bytes;
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map(async (h) => (await h.catch(() => null))?.close()));
  }

  private handle(packId: string): Promise<FileHandle> {
    const known = this.handles.get(packId);
    if (known) return known;
    if (this.handles.size >= OPEN_PACKS) {
      const [oldest, handle] = this.handles.entries().next().value as [string, Promise<FileHandle>];
      this.handles.delete(oldest);
      void handle.then((h) => h.close()).catch(() => undefined);
    }
    const opened = open(this.packs.pathOf(packId), 'r').catch((error: NodeJS.ErrnoException) => {
      this.handles.delete(packId);
      throw new VolsnapError(
        'Integrity',
        `Pack ${packId} is missing from the store (${error.code ?? error.message}). Run \`volsnap verify\` to see which snapshots are affected.`,
      );
    });
    this.handles.set(packId, opened);
    return opened;
  }
}

function tryDecompress(frame: Buffer): Buffer | null {
  try {
    return decompress(frame);
  } catch {
    return null;
  }
}
