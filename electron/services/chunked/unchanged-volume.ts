import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import type { Db } from '../../store/db';
import { snapshotChunkList } from '../../store/chunks/snapshot-chunk-refs';
import { listIncludes } from '../../store/chunks/sorted-hashes';
import { writeSynced, type PreviousLayout } from './chunked-capture';
import { decompressLayout, layoutChunkList } from './layout-file';
import { crashPoint } from '../restore/crash';
import { VolsnapError } from '../../../shared/errors';

/**
 * A volume that lists the same as in the previous snapshot (docker/volume-listing.ts) is not read
 * again: that snapshot's layout is written to `tempPath` as the new one, durably, as a read
 * volume's is, and its chunks become the new snapshot's references: the previous snapshot's list
 * when the volume was its only one. The layout is store contents, so it is checked first: its
 * bytes against the sha256 the catalog recorded, and its chunks, read from it, against the
 * previous snapshot's list (a ready snapshot's chunks are in the store). Any doubt throws, and the
 * caller reads the volume instead.
 */
export async function reuseUnchangedVolume(
  db: Db,
  previous: PreviousLayout & { sha256: string; onlyVolume: boolean },
  tempPath: string,
): Promise<{ storedBytes: number; sha256: string; chunks: Buffer }> {
  const stored = await readFile(previous.layoutPath);
  const sha256 = createHash('sha256').update(stored).digest('hex');
  if (sha256 !== previous.sha256) throw doubt('its layout file is not the one recorded');
  const whole = snapshotChunkList(db, previous.snapshotId);
  const chunks = previous.onlyVolume ? whole : await chunksOfOne(stored, whole);
  await writeSynced(tempPath, stored);
  crashPoint('capture-unchanged-synced');
  return { storedBytes: stored.length, sha256, chunks };
}

/**
 * One volume's chunks out of a snapshot of several: read from its layout (20,000 files: 40-120 ms,
 * on the app's main thread, so in two turns), each in the snapshot's list.
 */
async function chunksOfOne(stored: Buffer, whole: Buffer): Promise<Buffer> {
  const raw = decompressLayout(stored);
  await setImmediate();
  const chunks = layoutChunkList(raw);
  if (!listIncludes(whole, chunks)) throw doubt('its layout names chunks the snapshot does not hold');
  return chunks;
}

function doubt(why: string): VolsnapError {
  return new VolsnapError('Integrity', `The previous snapshot's volume cannot be reused: ${why}.`);
}
