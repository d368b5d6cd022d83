import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './static-files';
import type { Services } from '../services';
import { startExportJob } from '../services/bundle/bundle-jobs';
import { VolsnapError } from '../../shared/errors';

/**
 * The browser's Export…: `GET /files/export?snapshot=<id>` streams the snapshot's `.volsnap`
 * bundle as a download while writing it, as an export job (the jobs list shows its bytes; its
 * cancel, or the browser dropping the download, stops it). The job holds the snapshot's read
 * lease meanwhile. A snapshot that cannot be exported is refused before any header is sent.
 */
export async function exportDownload(res: ServerResponse, url: URL, services: Services): Promise<void> {
  const ref = url.searchParams.get('snapshot');
  if (!ref) throw new VolsnapError('InvalidInput', 'Which snapshot? Pass ?snapshot=<id>.');
  const snapshot = services.catalog.resolve(ref);
  const name = `${snapshot.name.replace(/[/\\:]/g, '-')}.volsnap`;
  if (snapshot.status !== 'ready')
    throw new VolsnapError(
      'InvalidInput',
      `Snapshot "${snapshot.name}" is ${snapshot.status}; only ready snapshots can be exported.`,
    );
  // The headers go first: the job starts writing the bundle at once.
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
  const handle = startExportJob(services, { snapshot: snapshot.id, to: { sink: res, name } });
  // The browser cancelled the download: the job ends as cancelled, not failed.
  res.once('close', () => {
    if (!res.writableFinished) tryCancel(services, handle.jobId);
  });
  try {
    await handle.done;
    res.end();
  } catch {
    // Headers are out: a cut connection is how the browser learns the download failed.
    res.destroy();
  }
}

function tryCancel(services: Services, jobId: string): void {
  try {
    services.jobs.cancel(jobId);
  } catch {
    /* already finished */
  }
}
