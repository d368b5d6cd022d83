import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { x as extractTar } from 'tar';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExportJob } from './bundle-jobs';
import { sizedParts } from './export';
import { streamFile } from './stream-file';
import { StreamFilesWorker } from './stream-files';
import { createServices, type Services } from '..';
import { createWorkload, tempDir, testDocker, uniqueName, type TestWorkload } from '../../../test/engine';
import type { BundleDoc } from './bundle-doc';
import type { JobProgress, Snapshot } from '../../../shared/types';

/**
 * The app's Export… to a file (the save dialog's path) as a job on the private engine: the bar
 * follows the bytes written, then the file read back for its sha256; a cancel leaves no file.
 */
const docker = testDocker();
const dir = tempDir('volsnap-export-job-');
let services: Services;
let workload: TestWorkload;
let captured: Snapshot;

beforeAll(async () => {
  services = createServices({ dataDir: path.join(dir.path, 'data'), docker });
  const volume = uniqueName('exportjob');
  workload = await createWorkload(docker, {
    services: [{ name: uniqueName('exportjobapp'), volumes: [{ volume, destination: '/data' }] }],
    // 24 MB of random bytes: several of the worker's 4 MiB buffers.
    seed: `mkdir -p /seed/${volume}/db && head -c 24000000 /dev/urandom > /seed/${volume}/db/base`,
  });
  captured = await (await services.capture.start({ workload: workload.name, name: 'to-file', mode: 'live' })).done;
}, 180_000);

afterAll(async () => {
  services?.close();
  await workload?.remove();
  dir.remove();
});

function progressOf(jobId: () => string): { all: JobProgress[]; stop: () => void } {
  const all: JobProgress[] = [];
  const stop = services.jobs.progressEvents.on((p) => {
    if (p.jobId === jobId()) all.push(p);
  });
  return { all, stop };
}

describe('Export… to a file, as a job', () => {
  it('writes the bundle, its bar following the bytes written and then the file read back for its sha256', async () => {
    const out = path.join(dir.path, 'out');
    mkdirSync(out);
    const file = path.join(out, 'to-file.volsnap');
    const started = { id: '' };
    const progress = progressOf(() => started.id);
    const handle = startExportJob(services, { snapshot: captured.id, to: { file } });
    started.id = handle.jobId;
    const result = await handle.done.finally(progress.stop);
    const bytes = readFileSync(file);
    expect(result).toMatchObject({ file, sizeBytes: bytes.length });
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(readdirSync(out)).toEqual(['to-file.volsnap']);
    // Each stream in the file is the one its sha256 in volsnap.json was taken of (the worker's
    // buffers are filled again once written: one refilled too early would differ here).
    const unpacked = path.join(dir.path, 'unpacked');
    mkdirSync(unpacked);
    await extractTar({ file, cwd: unpacked });
    const doc = JSON.parse(readFileSync(path.join(unpacked, 'volsnap.json'), 'utf8')) as BundleDoc;
    expect(doc.volumes.length).toBeGreaterThan(0);
    for (const { stream } of doc.volumes) {
      const streamBytes = readFileSync(path.join(unpacked, stream.entry));
      expect(streamBytes.length).toBe(stream.sizeBytes);
      expect(createHash('sha256').update(streamBytes).digest('hex')).toBe(stream.sha256);
    }

    // The volume is read once: no separate check before the first byte is written.
    expect(progress.all.filter((p) => p.phase === 'preparing')).toEqual([]);
    const written = progress.all.filter((p) => p.phase === 'exporting' && p.detail === undefined);
    const hashed = progress.all.filter((p) => p.detail === 'checksumming the file');
    // A new step is always shown; within a step the job runner shows a report every 100 ms.
    expect(written.length).toBeGreaterThan(0);
    expect(hashed.length).toBeGreaterThan(0);
    for (const p of [...written, ...hashed]) expect(p.bytesTotal).toBe(bytes.length);
    expect(progress.all.indexOf(written.at(-1)!)).toBeLessThan(progress.all.indexOf(hashed[0]!));
  });

  it('a cancel while the bytes go out stops the job and leaves no file, not even a partial one', async () => {
    const out = path.join(dir.path, 'cancelled');
    mkdirSync(out);
    const handle = startExportJob(services, { snapshot: captured.id, to: { file: path.join(out, 'x.volsnap') } });
    const stop = services.jobs.progressEvents.on((p) => {
      if (p.jobId === handle.jobId && p.phase === 'exporting') services.jobs.cancel(handle.jobId);
    });
    await expect(handle.done.finally(stop)).rejects.toThrow(/cancelled/);
    expect(readdirSync(out)).toEqual([]);
  });

  it("hands the worker's buffers back only once the sink is done: a sink slow to take them still gets the stream whole", async () => {
    const files = new StreamFilesWorker({
      dataDir: services.dataDir,
      snapshotId: captured.id,
      volumes: services.catalog.storedVolumes(captured.id),
    });
    const { streams } = await sizedParts(services, captured, files);
    // Takes each buffer's bytes 20 ms after it was given them, then calls back: a buffer refilled
    // before the call back would show here as bytes that differ from what was hashed on arrival.
    const taken: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 0,
      write(chunk: Buffer, _encoding, callback) {
        setTimeout(() => {
          taken.push(Buffer.from(chunk));
          callback();
        }, 20);
      },
    });
    const data = {
      mtime: captured.createdAt,
      streams: streams.map((s) => ({ path: s.entry, sizeBytes: s.sizeBytes, sha256: s.sha256 })),
      outcome: 'exported' as const,
      checkLater: false,
    };
    const sha256s = await files.write(data, slow, { doneOnCallback: true });
    slow.end();
    await finished(slow);
    const all = Buffer.concat(taken);
    // Several 4 MiB buffers went round (24 MB of random bytes), so some were filled again.
    expect(all.length).toBeGreaterThan(3 * 4 * 1024 * 1024);
    const { header } = streamFile(data.streams[0]!, data.mtime);
    const stream = all.subarray(header.length, header.length + data.streams[0]!.sizeBytes);
    expect(sha256s).toEqual([createHash('sha256').update(stream).digest('hex')]);
  });
});
