import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from 'tar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_BIN, ensureCliBuilt, runCliSync } from '../../../test/cli';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
} from '../../../test/engine';
import { withStoreDb } from '../../../test/store-db';
import type { BundleDoc } from '../../services/bundle/bundle-doc';
import type { Snapshot } from '../../../shared/types';

/** A volume with what real data has: folders, modes, owners, links, an empty file, a larger file. */
const SEED = (dir: string) => `
  mkdir -p ${dir}/db/base ${dir}/conf && echo 'port = 5432' > ${dir}/conf/pg.conf && chmod 600 ${dir}/conf/pg.conf
  head -c 3000000 /dev/urandom > ${dir}/db/base/16384 && : > ${dir}/db/empty
  ln -s conf/pg.conf ${dir}/current && ln ${dir}/db/base/16384 ${dir}/db/hardlinked
  chown -R 999:999 ${dir}/db && chmod 700 ${dir}/db`;

describeEngine('volsnap export / import (real engine, two stores)', () => {
  const docker = testDocker();
  const source = tempDir('volsnap-export-src-');
  const target = tempDir('volsnap-export-dst-');
  const files = tempDir('volsnap-export-files-');
  let workload: TestWorkload;
  let volume: string;

  beforeAll(async () => {
    ensureCliBuilt();
    volume = uniqueName('bundle');
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('bundle'), volumes: [{ volume, destination: '/data' }] }],
      seed: SEED(`/seed/${volume}`),
    });
  });
  afterAll(async () => {
    await workload.remove();
    for (const dir of [source, target, files]) dir.remove();
  });

  it('round trip: capture → export → import into an empty store → restore gives the identical volume', async () => {
    const original = await volumeTree(docker, volume);
    const captured = json<Snapshot>(runCliSync(source.path, ['capture', workload.name, '--name', 'seeded', '--json']));

    const file = path.join(files.path, 'seeded.volsnap');
    const exported = json<{ file: string; sizeBytes: number; sha256: string }>(
      runCliSync(source.path, ['export', 'seeded', '--output', file, '--json']),
    );
    expect(exported.file).toBe(file);
    expect(exported.sizeBytes).toBe(readFileSync(file).length);
    expect(exported.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(readdirSync(files.path)).toEqual(['seeded.volsnap']); // no temp file left beside it
    // It ran as an export job, as the app's Export… does (Ctrl-C cancels it and removes the partial file).
    const jobs = json<{ kind: string; status: string; snapshotId: string }[]>(
      runCliSync(source.path, ['jobs', '--json']),
    );
    expect(jobs.find((j) => j.kind === 'export')).toMatchObject({ status: 'succeeded', snapshotId: captured.id });

    const imported = json<Snapshot>(runCliSync(target.path, ['import', file, '--json']));
    expect(imported).toMatchObject({ name: 'seeded', status: 'ready', trigger: 'import', specialFiles: 'refused' });
    expect(imported.workloadId).toBe(workload.id);
    // Same contents (the archives differ in form: the store keeps format 2 chunks, a bundle a zstd tar).
    const contents = (s: Snapshot) => s.volumes.map((v) => [v.volumeName, v.sizeBytes, v.fileCount]);
    expect(contents(imported)).toEqual(contents(captured));
    expect(imported.provenance?.imported).toMatchObject({
      source: 'bundle',
      fileSha256: exported.sha256,
      originalSnapshotId: captured.id,
      originEngine: { id: captured.engineId },
    });
    expect(imported.engineId).toBe(captured.engineId);

    // The volume changes, then the imported snapshot is restored from the second store.
    await runScript(docker, [`${volume}:/v`], 'rm -rf /v/db && echo changed > /v/new-file');
    const restored = runCliSync(target.path, ['restore', imported.id, '--confirm', 'seeded', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await volumeTree(docker, volume)).toEqual(original);
  });

  it('streams through a pipe (export -o - | import -), and a name clash gets a suffix', () => {
    const piped = spawnSync(
      'sh',
      [
        '-c',
        `node ${CLI_BIN} --data-dir "$SRC" export seeded -o - | node ${CLI_BIN} --data-dir "$DST" import - --json`,
      ],
      { encoding: 'utf8', env: { ...process.env, SRC: source.path, DST: target.path } },
    );
    expect(piped.status, piped.stderr).toBe(0);
    const snapshot = JSON.parse(piped.stdout) as Snapshot;
    expect(snapshot.name).toBe('seeded-imported');
    expect(snapshot.provenance?.imported?.fileName).toBe('-');
    // export's own result went to stderr, so stdout carried only the bundle.
    expect(piped.stderr).toMatch(/Exported to standard output/);
  });

  it('a file export and a piped one carry the same document and volume streams (one written in place, one in order)', () => {
    const file = path.join(files.path, 'seeded.volsnap');
    const piped = spawnSync('node', [CLI_BIN, '--data-dir', source.path, 'export', 'seeded', '-o', '-'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(piped.status, piped.stderr.toString()).toBe(0);
    const fromFile = bundleEntries(readFileSync(file));
    const fromPipe = bundleEntries(piped.stdout);
    expect(fromFile.map((e) => e.name)).toEqual(['volsnap.json', expect.stringMatching(/^volumes\/0-/)]);
    expect(fromPipe.map((e) => e.name)).toEqual(fromFile.map((e) => e.name));
    const doc = (entries: { body: Buffer }[]) => JSON.parse(entries[0]!.body.toString()) as BundleDoc;
    expect({ ...doc(fromFile), exportedAt: null }).toEqual({ ...doc(fromPipe), exportedAt: null });
    expect(fromFile[1]!.body.equals(fromPipe[1]!.body)).toBe(true);
    expect(doc(fromFile).volumes[0]!.stream.sha256).toBe(sha256(fromFile[1]!.body));
  });

  /** Exports `seeded` from a copy of the source store with one chunk damaged (`pick` orders the chunks); each must fail, naming it, and leave no file. */
  function exportDamaged(pick: string): void {
    const damaged = path.join(files.path, 'damaged-store');
    cpSync(source.path, damaged, { recursive: true });
    const chunk = withStoreDb(damaged, (db) => {
      // One pack: the order of its records is the order the capture wrote them.
      expect(db.prepare('SELECT COUNT(DISTINCT pack_id) AS n FROM chunks').get()).toEqual({ n: 1 });
      return db
        .prepare(
          `SELECT lower(hex(hash)) AS hash, pack_id AS packId, offset, stored_length AS length FROM chunks ORDER BY ${pick} LIMIT 1`,
        )
        .get() as { hash: string; packId: string; offset: number; length: number };
    });
    const packPath = path.join(damaged, 'chunks', 'packs', `${chunk.packId}.pack`);
    const pack = readFileSync(packPath);
    pack[chunk.offset + (chunk.length >> 1)]! ^= 0x01;
    writeFileSync(packPath, pack);
    const out = path.join(files.path, 'out');
    mkdirSync(out);
    for (const output of [path.join(out, 'damaged.volsnap'), '-']) {
      const r = runCliSync(damaged, ['export', 'seeded', '-o', output]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Chunk ${chunk.hash} in pack ${chunk.packId} is damaged`);
    }
    expect(readdirSync(out)).toEqual([]);
    rmSync(out, { recursive: true });
    rmSync(damaged, { recursive: true, force: true });
  }

  it('a damaged chunk fails the export, naming it, and leaves no file behind (to a file or a pipe)', () => {
    exportDamaged('stored_length DESC');
  });

  it('so does one in the later half of the content, which an export to a file checks while it reads the file back', () => {
    // The last record written holds the end of the 3 MB file, the content's later half.
    exportDamaged('offset DESC');
  });

  it('--name picks the name, a taken --name is refused, and nothing is left of the refused import', () => {
    const file = path.join(files.path, 'seeded.volsnap');
    const named = json<Snapshot>(runCliSync(target.path, ['import', file, '--name', 'from-laptop', '--json']));
    expect(named.name).toBe('from-laptop');
    const clash = runCliSync(target.path, ['import', file, '--name', 'from-laptop']);
    expect(clash.code, `${clash.stdout}\n${runCliSync(target.path, ['list']).stdout}`).toBe(1);
    expect(clash.stderr).toMatch(/A snapshot named "from-laptop" already exists; choose another --name/);
    expect(readdirSync(path.join(target.path, 'incoming'))).toEqual([]);
  });

  it('refuses a file that is not a bundle with a hint at --volume, and an unknown snapshot', () => {
    const file = path.join(files.path, 'seeded.volsnap');
    const notBundle = runCliSync(target.path, ['import', CLI_BIN]);
    expect(notBundle.code).toBe(1);
    expect(notBundle.stderr).toMatch(/Refused to import/);
    const missing = runCliSync(source.path, ['export', 'no-such-snapshot', '-o', `${file}.2`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No snapshot "no-such-snapshot"/);
    expect(existsSync(`${file}.2`)).toBe(false);
  });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A bundle's entries in order, read with the tar package (names and bodies). */
function bundleEntries(bundle: Buffer): { name: string; body: Buffer }[] {
  const entries: { name: string; body: Buffer }[] = [];
  const parser = new Parser({
    onReadEntry: (entry) => {
      const parts: Buffer[] = [];
      entry.on('data', (data: Buffer) => parts.push(data));
      entry.on('end', () => entries.push({ name: entry.path, body: Buffer.concat(parts) }));
    },
  });
  parser.end(bundle);
  return entries;
}

function json<T>(result: { code: number | null; stdout: string; stderr: string }): T {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout, result.stderr).not.toBe('');
  return JSON.parse(result.stdout) as T;
}
