import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Services } from '../services';
import { VolsnapError } from '../../shared/errors';

/** Asks the user where to save (a native "Save as…" dialog); null when cancelled. */
export type SavePicker = (suggestedName: string) => Promise<string | null>;

let picker: SavePicker | null = null;

/** The desktop shell registers its dialog at start; the web host has none (the browser downloads instead). */
export function useSavePicker(pick: SavePicker | null): void {
  picker = pick;
}

/**
 * "Save as…" for one entry of a snapshot: asks for a place, then writes a file as itself or a
 * folder as a .tar there. The place is the user's own choice in the native dialog; nothing from
 * the renderer names a host path.
 */
export async function saveSnapshotEntry(
  services: Services,
  ref: { snapshot: string; volume?: string; path: string },
): Promise<{ savedTo: string | null }> {
  if (!picker)
    throw new VolsnapError('Unsupported', 'Save as… needs the desktop app; in the browser, use the download link.');
  const files = services.snapshotFiles;
  const entry = files.describe(ref);
  const folder = entry.type === 'dir';
  const target = await picker(folder ? `${entry.name}.tar` : entry.name);
  if (target === null) return { savedTo: null };
  const out = createWriteStream(target);
  try {
    if (folder) await files.writeTar(ref, out);
    else {
      await files.writeFile(ref, out);
      out.end();
      await finished(out);
    }
  } catch (error) {
    out.destroy();
    await rm(target, { force: true });
    throw error;
  }
  return { savedTo: target };
}
