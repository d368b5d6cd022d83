import path from 'node:path';
import type { Services } from '../services';
import { startExportJob, startImportJob } from '../services/bundle/bundle-jobs';
import { VolsnapError } from '../../shared/errors';

/** The desktop shell's native dialogs for bundles; null when the user cancels. */
export interface BundlePickers {
  save(suggestedName: string): Promise<string | null>;
  open(): Promise<string | null>;
}

let pickers: BundlePickers | null = null;

/** The desktop shell registers its dialogs at start; the web host has none (the browser downloads and uploads). */
export function useBundlePickers(choose: BundlePickers | null): void {
  pickers = choose;
}

function desktop(what: string): BundlePickers {
  if (!pickers)
    throw new VolsnapError(
      'Unsupported',
      `${what} with a file dialog needs the desktop app; in the browser, use ${what} in the page.`,
    );
  return pickers;
}

/**
 * Export…: asks where to save (the user's own choice in the native dialog: nothing from the
 * renderer names a host path), then exports as a job. `jobId` null when the dialog was cancelled.
 */
export async function exportWithDialog(
  services: Services,
  input: { snapshot: string },
): Promise<{ jobId: string | null; file: string | null }> {
  const choose = desktop('Export…');
  const snapshot = services.catalog.resolve(input.snapshot);
  const file = await choose.save(`${snapshot.name.replace(/[/\\:]/g, '-')}.volsnap`);
  if (file === null) return { jobId: null, file: null };
  return { jobId: startExportJob(services, { snapshot: snapshot.id, to: { file } }).jobId, file };
}

/** Import…: asks for a .volsnap file in the native dialog, then imports it as a job. */
export async function importWithDialog(
  services: Services,
  input: { name?: string; workload?: string; allowSpecialFiles?: boolean },
): Promise<{ jobId: string | null }> {
  const file = await desktop('Import…').open();
  if (file === null) return { jobId: null };
  const handle = await startImportJob(services, { ...input, file, fileName: path.basename(file) });
  return { jobId: handle.jobId };
}
