import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { layoutEntries } from '../chunked/layout-entries';
import { decodeLayout } from '../chunked/layout-file';
import { ensureCliBuilt, runCliSync } from '../../../test/cli';
import { withStoreDb } from '../../../test/store-db';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';
import type { Snapshot, VerifyReport } from '../../../shared/types';

/**
 * `volsnap verify` on a format 2 store where one chunk shared by two snapshots is lost: damaged in
 * its pack, its pack deleted, or its index row gone. Verifying either snapshot fails and names the
 * chunk, both snapshots and the file holding it; files that do not use it are not named.
 */
describeEngine('verify names what a missing or damaged chunk loses', () => {
  const docker = testDocker();
  const dir = tempDir('volsnap-verify-damage-');
  const base = path.join(dir.path, 'base');
  const volume = uniqueName('vdamage');
  let workload: TestWorkload;
  let first: Snapshot;
  let second: Snapshot;
  /** A chunk of `shared.bin`, which both snapshots hold unchanged. */
  let chunk: { hash: string; packId: string; offset: number };

  beforeAll(async () => {
    ensureCliBuilt();
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && dd if=/dev/urandom of=shared.bin bs=1M count=3 2>/dev/null && echo hello > small && mkdir d && echo x > d/y`,
    });
    first = capture();
    // The second snapshot adds a file of its own (written to a new pack) and keeps the rest.
    await runScript(docker, [`${volume}:/v`], 'dd if=/dev/urandom of=/v/other.bin bs=1M count=2 2>/dev/null');
    second = capture();
    chunk = sharedChunk();
  });
  afterAll(async () => {
    await workload?.remove();
    dir.remove();
  });

  function capture(): Snapshot {
    const run = runCliSync(base, ['capture', workload.name, '--mode', 'live', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Snapshot;
  }

  function sharedChunk(): { hash: string; packId: string; offset: number } {
    return withStoreDb(base, (db) => {
      const { archiveFile } = db
        .prepare('SELECT archive_file AS archiveFile FROM snapshot_volumes WHERE snapshot_id = ?')
        .get(first.id) as { archiveFile: string };
      const layout = decodeLayout(readFileSync(path.join(base, 'archives', first.id, archiveFile)));
      const shared = layoutEntries(layout, volume).find((e) => e.path === 'shared.bin')!;
      const hash = shared.file!.chunks[0]!;
      const row = db
        .prepare('SELECT pack_id AS packId, offset FROM chunks WHERE hash = ?')
        .get(Buffer.from(hash, 'hex')) as { packId: string; offset: number };
      return { hash, ...row };
    });
  }

  /** A copy of the store with one kind of damage done to it. */
  function damagedStore(name: string, damage: (store: string) => void): string {
    const store = path.join(dir.path, name);
    cpSync(base, store, { recursive: true });
    damage(store);
    return store;
  }
  const packPath = (store: string) => path.join(store, 'chunks', 'packs', `${chunk.packId}.pack`);

  function expectNamed(store: string, options: { problem: RegExp; unaffected: string[] }): void {
    for (const snapshot of [first, second]) {
      const run = runCliSync(store, ['verify', snapshot.id, '--json']);
      expect(run.code, `verify ${snapshot.name} must fail: ${run.stderr}`).toBe(1);
      const report = JSON.parse(run.stdout) as VerifyReport;
      expect(report.ok).toBe(false);
      const damaged = report.damagedChunks?.find((c) => c.hash === chunk.hash);
      expect(damaged, JSON.stringify(report.damagedChunks)).toBeDefined();
      expect(damaged!.problem).toMatch(options.problem);
      expect(damaged!.snapshots.map((s) => s.snapshotId)).toEqual([first.id, second.id]);
      for (const s of damaged!.snapshots) expect(s.files).toContainEqual({ volumeName: volume, path: 'shared.bin' });
      const named = report.damagedChunks!.flatMap((c) => c.snapshots.flatMap((s) => s.files.map((f) => f.path)));
      for (const path of options.unaffected) expect(named).not.toContain(path);
      expect(report.volumes[0]!.problem).toContain('shared.bin');

      const plain = runCliSync(store, ['verify', snapshot.id]);
      expect(plain.code).toBe(1);
      for (const text of [chunk.hash, first.name, second.name, `${volume}:shared.bin`]) {
        expect(plain.stdout).toContain(text);
      }
      for (const path of options.unaffected) expect(plain.stdout).not.toContain(`${volume}:${path}`);
    }
  }

  it('one byte of a pack record corrupted: names the chunk, both snapshots and shared.bin only', () => {
    const store = damagedStore('corrupt', (s) => {
      const pack = readFileSync(packPath(s));
      pack[chunk.offset + 40]! ^= 0x01;
      writeFileSync(packPath(s), pack);
    });
    expectNamed(store, { problem: /damaged/, unaffected: ['small', 'd/y', 'other.bin'] });
  });

  it('its index row gone: names the chunk, both snapshots and shared.bin only', () => {
    const store = damagedStore('no-row', (s) =>
      withStoreDb(
        s,
        (db) => db.prepare('DELETE FROM chunks WHERE hash = ?').run(Buffer.from(chunk.hash, 'hex')),
        false,
      ),
    );
    expectNamed(store, { problem: /no row/, unaffected: ['small', 'd/y', 'other.bin'] });
  });

  it("its pack deleted: names both snapshots; the second snapshot's own file, in another pack, is not named", () => {
    const store = damagedStore('no-pack', (s) => rmSync(packPath(s)));
    expectNamed(store, { problem: /pack .* is missing/, unaffected: ['other.bin'] });
  });

  it('a sound store verifies with no damaged chunk', () => {
    const run = runCliSync(base, ['verify', second.id, '--json']);
    expect(run.code, run.stdout).toBe(0);
    expect((JSON.parse(run.stdout) as VerifyReport).damagedChunks).toEqual([]);
  });
});
