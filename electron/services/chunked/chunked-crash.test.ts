import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBytesOf, withStoreDb } from '../../../test/store-db';
import { CLI_BIN, ensureCliBuilt, runCliSync } from '../../../test/cli';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';
import type { Snapshot } from '../../../shared/types';

/**
 * Store format 2 under SIGKILL: a capture killed after any durable step (a pack synced, renamed,
 * indexed; the layout synced, committed; the snapshot recorded) and a garbage collection killed
 * after any of its steps leave a store the next start makes whole: no `ready` snapshot with a
 * missing chunk, no index row without its pack, no pack or temp file nothing points at, and every
 * snapshot left verifies. The store keeps working afterwards.
 */
describeEngine('store format 2 survives a kill at every step', () => {
  const docker = testDocker();
  const dir = tempDir('volsnap-v2-crash-');
  const volume = uniqueName('v2crash');
  let workload: TestWorkload;

  beforeAll(async () => {
    ensureCliBuilt();
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && dd if=/dev/urandom of=big bs=1M count=3 2>/dev/null && echo hello > small && mkdir d && echo x > d/y`,
    });
  });
  afterAll(async () => {
    await workload?.remove();
    dir.remove();
  });

  const killedRun = (store: string, args: string[], step: string) => {
    const run = spawnSync('node', [CLI_BIN, '--data-dir', store, ...args], {
      encoding: 'utf8',
      env: { ...process.env, VOLSNAP_CRASH_AT: step },
    });
    expect(run.signal, `${args[0]} should die at ${step}: ${run.stderr}`).toBe('SIGKILL');
  };
  const capture = (store: string): Snapshot => {
    const run = runCliSync(store, ['capture', workload.name, '--mode', 'live', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Snapshot;
  };
  const list = (store: string): Snapshot[] => JSON.parse(runCliSync(store, ['list', '--json']).stdout) as Snapshot[];

  /** After the next start (`recover` sweeps): the store's invariants; returns its ready snapshots. */
  function startAndCheck(store: string): Snapshot[] {
    const recovered = runCliSync(store, ['recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    const packDir = path.join(store, 'chunks', 'packs');
    const onDisk = existsSync(packDir) ? readdirSync(packDir) : [];
    expect(
      onDisk.filter((n) => n.endsWith('.tmp')),
      'temp packs left',
    ).toEqual([]);
    withStoreDb(store, (db) => {
      const indexed = new Set(db.prepare('SELECT id FROM chunk_packs').pluck().all() as string[]);
      expect(new Set(onDisk.map((n) => n.replace(/\.pack$/, ''))), 'pack files = indexed packs').toEqual(indexed);
      const orphanRows = db
        .prepare('SELECT count(*) FROM chunks WHERE pack_id NOT IN (SELECT id FROM chunk_packs)')
        .pluck()
        .get();
      expect(orphanRows, 'chunk rows without their pack').toBe(0);
      const lists = db
        .prepare(`SELECT n.status, l.hashes FROM snapshot_chunk_lists l JOIN snapshots n ON n.id = l.snapshot_id`)
        .all() as { status: string; hashes: Buffer }[];
      const inIndex = db.prepare(`SELECT 1 FROM chunks WHERE hash = ?`).pluck();
      const named = lists
        .filter((l) => l.status === 'ready')
        .flatMap((l) => Array.from({ length: l.hashes.length / 32 }, (_, i) => l.hashes.subarray(i * 32, i * 32 + 32)));
      const ready = db.prepare(`SELECT count(*) FROM snapshots WHERE status = 'ready'`).pluck().get() as number;
      // Not a check that cannot fail: a ready snapshot's list is there to be checked.
      if (ready > 0) expect(named.length, 'the ready snapshots name their chunks').toBeGreaterThan(0);
      expect(
        named.filter((hash) => inIndex.get(hash) === undefined).length,
        'chunks a ready snapshot names but the store lacks',
      ).toBe(0);
      expect(
        lists.filter((l) => l.status !== 'ready').length,
        'chunks held by a capture that did not finish (gc could never free them)',
      ).toBe(0);
    });
    const ready = list(store).filter((s) => s.status === 'ready');
    for (const s of ready) {
      const verified = runCliSync(store, ['verify', s.id]);
      expect(verified.code, `verify ${s.name}: ${verified.stdout}${verified.stderr}`).toBe(0);
    }
    return ready;
  }

  describe('capture', () => {
    it.each([
      ['pack-synced', 0],
      ['pack-renamed', 0],
      ['pack-committed', 0],
      ['capture-layout-synced', 0],
      ['capture-layout-committed', 0],
      ['capture-chunks-referenced', 0],
      ['capture-ready', 1],
    ] as const)('killed at %s: the next start leaves a whole store (%i snapshot)', (step, kept) => {
      const store = path.join(dir.path, `capture-${step}`);
      killedRun(store, ['capture', workload.name, '--mode', 'live'], step);
      expect(startAndCheck(store)).toHaveLength(kept);
      capture(store);
      expect(startAndCheck(store)).toHaveLength(kept + 1);
    });
  });

  describe('a re-capture of the unchanged volume (its layout reused, not read)', () => {
    const base = path.join(dir.path, 'unchanged-base');

    beforeAll(() => {
      capture(base);
    });

    it.each([
      ['capture-unchanged-synced', 1],
      ['capture-layout-committed', 1],
      ['capture-chunks-referenced', 1],
      ['capture-ready', 2],
    ] as const)('killed at %s: the next start leaves a whole store (%i ready)', (step, kept) => {
      const store = path.join(dir.path, `unchanged-${step}`);
      cpSync(base, store, { recursive: true });
      // `capture-unchanged-synced` is on the reuse's path only: this kill shows the volume was not read.
      killedRun(store, ['capture', workload.name, '--mode', 'live'], step);
      expect(startAndCheck(store)).toHaveLength(kept);
      capture(store);
      expect(startAndCheck(store)).toHaveLength(kept + 1);
    });
  });

  describe('garbage collection', () => {
    const base = path.join(dir.path, 'gc-base');
    let first: Snapshot;

    beforeAll(async () => {
      first = capture(base);
      // The second snapshot shares the small files and the folder, not `big`.
      await runScript(docker, [`${volume}:/v`], 'dd if=/dev/urandom of=/v/big bs=1M count=3 2>/dev/null');
      capture(base);
    });

    it.each([
      'gc-dead-forgotten',
      'pack-synced',
      'pack-renamed',
      'pack-committed',
      'gc-pack-forgotten',
      'gc-pack-removed',
    ])(
      'killed at %s while deleting a snapshot: the next start and gc free its chunks and keep the other whole',
      (step) => {
        const store = path.join(dir.path, step);
        cpSync(base, store, { recursive: true });
        const before = packBytesOf(store);
        killedRun(store, ['delete', first.id, '--confirm', first.name], step);
        expect(startAndCheck(store).map((s) => s.id)).not.toContain(first.id);
        const gc = runCliSync(store, ['gc']);
        expect(gc.code, gc.stderr).toBe(0);
        expect(startAndCheck(store)).toHaveLength(1);
        // `big` of the deleted snapshot was 3 MiB of random bytes: freed.
        expect(packBytesOf(store)).toBeLessThan(before - 2.5 * 1024 * 1024);
      },
    );
  });
});
