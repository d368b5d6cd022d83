import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from './web-host';
import { bundleOfVolumes, forgedVolume } from '../services/bundle/bundle-forge.test-util';
import { createServices, type Services } from '../services';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../../test/engine';
import { EXPORT_PATH, exportUrl, UPLOAD_NAME_HEADER, UPLOAD_PATH } from '../../shared/file-types';
import type { JobProgress, Snapshot } from '../../shared/types';

/**
 * The browser's Export… and Import… over real HTTP against a started web host on the private
 * engine: a captured snapshot comes out as a .volsnap download, goes back in as an upload and is
 * stored as an imported snapshot; uploads without the token or from another page store nothing.
 */
const TOKEN = 'bundle-routes-test-token-0123456789abcdef';
const docker = testDocker();
const dir = tempDir('volsnap-bundle-routes-');
let services: Services;
let host: WebHost;
let origin: string;
let workload: TestWorkload;
let captured: Snapshot;

beforeAll(async () => {
  services = createServices({ dataDir: path.join(dir.path, 'data'), docker });
  const volume = uniqueName('bundleweb');
  workload = await createWorkload(docker, {
    services: [{ name: uniqueName('bundlewebapp'), volumes: [{ volume, destination: '/data' }] }],
    seed: `mkdir -p /seed/${volume}/conf && printf 'port: 8080\\n' > /seed/${volume}/conf/app.yml`,
  });
  captured = await (await services.capture.start({ workload: workload.name, name: 'travels', mode: 'live' })).done;
  host = await startWebHost({ services, rendererDir: path.join(dir.path, 'renderer'), token: TOKEN });
  origin = `http://127.0.0.1:${host.port}`;
}, 180_000);

afterAll(async () => {
  await host?.close();
  services?.close();
  await workload?.remove();
  dir.remove();
});

interface Reply {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

function send(method: string, urlPath: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = <T>(r: Reply) =>
  JSON.parse(r.body.toString()) as { ok: boolean; value: T; error?: { kind: string; message: string } };
const names = () => services.snapshots.list().map((s) => s.name);
const tmpLeft = () => readdirSync(path.join(services.dataDir, 'tmp'));

async function exported(): Promise<Buffer> {
  const r = await send('GET', `${exportUrl(captured.id)}&token=${TOKEN}`);
  expect(r.status).toBe(200);
  expect(r.headers['content-disposition']).toContain('filename="travels.volsnap"');
  return r.body;
}

describe('Export… and Import… through the web host', () => {
  it('downloads a snapshot as a .volsnap bundle, as an export job that reports its bytes', async () => {
    const progress: JobProgress[] = [];
    const stop = services.jobs.progressEvents.on((p) => progress.push(p));
    const bundle = await exported().finally(stop);
    // A plain tar whose first entry is volsnap.json.
    expect(bundle.subarray(0, 12).toString()).toBe('volsnap.json');
    const job = services.jobs.recent().find((j) => j.kind === 'export');
    expect(job).toMatchObject({ status: 'succeeded', snapshotId: captured.id });
    expect(job?.result).toMatchObject({ kind: 'export', sizeBytes: bundle.length });
    const ofJob = progress.filter((p) => p.jobId === job?.id);
    // First the volume's stored data is checked, then the bytes go out against the bundle's true size:
    // the bar neither sits still during the check nor reaches its end before the download does.
    expect(ofJob[0]).toMatchObject({
      phase: 'preparing',
      volume: workload.volumes[0],
      detail: 'checking the stored data',
    });
    const sending = ofJob.filter((p) => p.phase === 'exporting');
    expect(sending.length).toBeGreaterThan(0);
    for (const p of sending) expect(p.bytesTotal).toBe(bundle.length);
  });

  it('uploads the bundle back: the answer is the new snapshot, marked imported from that file', async () => {
    const bundle = await exported();
    const r = await send(
      'POST',
      `${UPLOAD_PATH}?token=${TOKEN}`,
      { Origin: origin, [UPLOAD_NAME_HEADER]: encodeURIComponent('travels.volsnap') },
      bundle,
    );
    expect(r.status, r.body.toString()).toBe(200);
    const snapshot = json<Snapshot>(r).value;
    expect(snapshot).toMatchObject({ trigger: 'import', status: 'ready', workloadName: captured.workloadName });
    expect(snapshot.name).not.toBe('travels');
    expect(snapshot.provenance?.imported).toMatchObject({
      source: 'bundle',
      fileName: 'travels.volsnap',
      originalSnapshotId: captured.id,
    });
    expect(services.catalog.resolve(snapshot.id).fileCount).toBe(captured.fileCount);
    expect(tmpLeft()).toEqual([]);
  });

  it('refuses an upload with a wrong token or from another page, and stores nothing', async () => {
    const bundle = await exported();
    const before = names();
    const wrongToken = await send('POST', `${UPLOAD_PATH}?token=wrong`, { Origin: origin }, bundle);
    expect(wrongToken.status).toBe(401);
    const foreign = await send('POST', `${UPLOAD_PATH}?token=${TOKEN}`, { Origin: 'http://evil.example' }, bundle);
    expect(foreign.status).toBe(403);
    const noOrigin = await send('POST', `${UPLOAD_PATH}?token=${TOKEN}`, {}, bundle);
    expect(noOrigin.status).toBe(403);
    expect(names()).toEqual(before);
    expect(tmpLeft()).toEqual([]);
  });

  it('refuses a file that is not a bundle with a clear error, and stores nothing', async () => {
    const before = names();
    const r = await send(
      'POST',
      `${UPLOAD_PATH}?token=${TOKEN}`,
      { Origin: origin },
      Buffer.from('not a bundle at all'),
    );
    expect(r.status).toBe(422);
    expect(json(r).error?.message).toMatch(/^Refused to import: .*Nothing was stored\.$/);
    expect(names()).toEqual(before);
    expect(tmpLeft()).toEqual([]);
  });

  it('answers a hostile bundle with 422 (the file is refused, the host is fine) and its reason', async () => {
    const before = names();
    const hostile = bundleOfVolumes([
      await forgedVolume('data', [
        { path: 'data/', type: 'Directory' },
        { path: 'data/../escape', body: 'x' },
      ]),
    ]);
    const r = await send('POST', `${UPLOAD_PATH}?token=${TOKEN}`, { Origin: origin }, hostile);
    expect(r.status).toBe(422);
    expect(json(r).error).toMatchObject({ kind: 'Integrity' });
    expect(json(r).error?.message).toMatch(/^Refused to import: .*"\.\.".*Nothing was stored\.$/);
    expect(names()).toEqual(before);
    expect(tmpLeft()).toEqual([]);
  });

  it('refuses to export a snapshot that does not exist, before any byte is sent', async () => {
    const r = await send('GET', `${EXPORT_PATH}?snapshot=nope-not-here&token=${TOKEN}`);
    expect(r.status).toBe(404);
  });
});
