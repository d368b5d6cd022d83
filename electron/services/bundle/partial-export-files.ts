import { randomBytes } from 'node:crypto';
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PartialExports } from '../../store/partial-exports';

/** `.NAME.<8 hex>.partial`: the temporary file an export to NAME writes before renaming it. */
const PARTIAL_NAME = /^\..+\.[0-9a-f]{8}\.partial$/;

/** A fresh temporary path beside `target` (hidden, so a half-written bundle is not mistaken for one). */
export function partialPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
}

/**
 * Removes the temporary files of exports whose process died (a kill, a power cut), which nothing
 * else would: they lie beside the chosen output, outside the store. The rows are the store's word
 * and a store can be forged, so only a regular file named as an export's temporary file is removed.
 */
export async function removeDeadPartialExports(partials: PartialExports): Promise<number> {
  let removed = 0;
  for (const file of partials.dead()) {
    if (path.isAbsolute(file) && PARTIAL_NAME.test(path.basename(file))) {
      const info = await lstat(file).catch(() => null);
      if (info?.isFile()) {
        await rm(file, { force: true });
        removed++;
      }
    }
    partials.forget(file);
  }
  return removed;
}
