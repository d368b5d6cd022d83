import { Transform } from 'node:stream';
import { refused } from './bundle-format';
import { Bomb } from './check-worker-protocol';
import { RefusedEntry } from '../restore/entry-check';
import type { VolsnapError } from '../../../shared/errors';

/**
 * The refusal the user reads when a volume stream's check (`checkStreamEntries`) failed: an
 * `Integrity` error naming the volume and the first problem.
 */
export function refusalOf(volumeName: string, error: Error): VolsnapError {
  if (error instanceof RefusedEntry) return refused(`in volume ${volumeName}, ${error.message}`);
  if (error instanceof Bomb) return refused(`volume ${volumeName} expands beyond what its manifest declares`);
  if (/^Refused to import/.test(error.message)) return error as VolsnapError;
  return refused(`volume ${volumeName}'s stream cannot be read (${error.message})`);
}

/** Passes bytes on until `limit`, then fails: a tiny stream must not expand without end. */
export function bounded(limit: number, onBomb: () => Error = () => new Bomb()): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(onBomb());
      else callback(null, chunk);
    },
  });
}
