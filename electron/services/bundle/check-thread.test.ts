import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forgedVolume, type ForgedVolume } from './bundle-forge.test-util';
import { CheckThreads, type CheckVerdict } from './check-thread';
import type { CheckJob, FromCheckWorker, ToCheckWorker } from './check-worker-protocol';
import { bundledWorkerPath } from '../worker-path';

// The worker writes the stream's file as well as checking it (dist/import-check-worker.cjs: needs `npm run build`).

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'volsnap-check-thread-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function sound(): Promise<ForgedVolume> {
  return forgedVolume('data', [
    { path: 'data/', type: 'Directory' },
    // Several of the feed's 4 MiB batches, and a last partial one.
    { path: 'data/blob', body: randomBytes(9 * 1024 * 1024 + 123) },
  ]);
}

async function run(volume: ForgedVolume, file: string): Promise<CheckVerdict> {
  const threads = new CheckThreads();
  const check = threads.check(
    { file, volumeName: volume.name, manifest: volume.manifest, specialFiles: 'refused', maxTarBytes: 64 << 20 },
    false,
  );
  threads.close();
  // Uneven chunks, as a socket delivers them.
  const chunks = Array.from({ length: Math.ceil(volume.stream.length / 65_521) }, (_, i) =>
    volume.stream.subarray(i * 65_521, (i + 1) * 65_521),
  );
  await pipeline(Readable.from(chunks), check.sink);
  return check.verdict;
}

it('writes the stream to its file, byte for byte, once every entry checked out', async () => {
  const volume = await sound();
  const file = path.join(dir, '0-data.tar.zst');
  const { stream, error } = await run(volume, file);
  expect(error).toBeNull();
  expect(stream).toEqual({ bytes: volume.stream.length, sha256: sha256(volume.stream) });
  expect(readFileSync(file).equals(volume.stream)).toBe(true);
});

it("reports a file it cannot write as the write's own error, not as a refusal of the stream", async () => {
  const volume = await sound();
  const { stream, error } = await run(volume, path.join(dir, 'gone', '0-data.tar.zst'));
  expect(error).toMatchObject({ code: 'ENOENT' });
  expect(error?.message).not.toMatch(/Refused/);
  // The stream itself was still read whole, so an altered one would be reported as such first.
  expect(stream?.sha256).toBe(sha256(volume.stream));
  expect(existsSync(path.join(dir, 'gone'))).toBe(false);
});

it('refuses a stream whose content differs from its manifest', async () => {
  const volume = await sound();
  const forged = {
    ...volume,
    manifest: volume.manifest.map((e) => (e.type === 'file' ? { ...e, sha256: '0'.repeat(64) } : e)),
  };
  const { stream, error } = await run(forged, path.join(dir, '0-data.tar.zst'));
  expect(error?.message).toMatch(/^Refused to import: in volume data, blob does not match its sha256/);
  expect(stream).toEqual({ bytes: volume.stream.length, sha256: sha256(volume.stream) });
});

it('refused at its first entry, still takes the rest of a long stream in and reports its figures whole', async () => {
  const volume = await forgedVolume('data', [
    { path: 'data/', type: 'Directory' },
    { path: 'data/unlisted', body: 'not in the manifest\n' },
    // More than the feed holds in flight (32 MiB): the sender must get every byte counted back.
    { path: 'data/blob', body: randomBytes(48 * 1024 * 1024) },
  ]);
  const forged = { ...volume, manifest: volume.manifest.filter((e) => e.path !== 'unlisted') };
  const { stream, error } = await run(forged, path.join(dir, '0-data.tar.zst'));
  expect(error?.message).toMatch(/^Refused to import: in volume data, .*unlisted/);
  expect(stream).toEqual({ bytes: volume.stream.length, sha256: sha256(volume.stream) });
});

it('gives back every byte it was handed, once, when its check stops mid-stream', async () => {
  // Random bytes: the stream is as long as the tar, and it expands past maxTarBytes in its third
  // batch, which the check is still decompressing when it stops (a bomb, as a corrupt frame would).
  const volume = await forgedVolume('data', [
    { path: 'data/', type: 'Directory' },
    { path: 'data/blob', body: randomBytes(24 * 1024 * 1024) },
  ]);
  const worker = new Worker(bundledWorkerPath('import-check-worker.cjs'));
  try {
    let givenBack = 0;
    const verdict = new Promise<FromCheckWorker>((resolve) =>
      worker.on('message', (message: FromCheckWorker) => {
        if (message.type === 'read') givenBack += message.bytes;
        else resolve(message);
      }),
    );
    const job: CheckJob = {
      file: path.join(dir, '0-data.tar.zst'),
      volumeName: 'data',
      manifest: volume.manifest,
      specialFiles: 'refused',
      maxTarBytes: 10 << 20,
    };
    worker.postMessage({ type: 'job', job } satisfies ToCheckWorker);
    // The feed's 4 MiB batches: it holds back once 16 MiB are out, and waits for these counts to
    // come back below 4 MiB, so a batch the check held and never gave back would stall it for good.
    for (let offset = 0; offset < volume.stream.length; offset += 4 << 20) {
      const data = new Uint8Array(volume.stream.subarray(offset, offset + (4 << 20))).buffer;
      worker.postMessage({ type: 'chunk', data, length: data.byteLength } satisfies ToCheckWorker, [data]);
    }
    worker.postMessage({ type: 'end' } satisfies ToCheckWorker);
    expect(await verdict).toMatchObject({ type: 'verdict', failure: { failure: 'bomb' } });
    expect(givenBack).toBe(volume.stream.length);
  } finally {
    await worker.terminate();
  }
});
