import type { UploadConsumer } from './file-routes';
import type { Services } from '../services';
import { startImportJob } from '../services/bundle/bundle-jobs';

/**
 * The browser's Import…: an uploaded file is imported as a `.volsnap` bundle by an import job (the
 * jobs list shows it); the answer is the new snapshot. The upload route removes the temp file after.
 */
export function importUploadedBundle(services: () => Services): UploadConsumer {
  return async (file, meta) => {
    const handle = await startImportJob(services(), { file, fileName: meta.name ?? 'upload.volsnap' });
    return handle.done;
  };
}
