import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
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
 * A store written before format 2 (every volume one zstd tar: what the previous release wrote)
 * converted to chunks by `volsnap migrate`, the same pass the app runs in the background: each
 * snapshot keeps exactly its files, shared content is stored once, the old archives go, and a kill
 * at any step leaves every snapshot readable and the next pass finishes the job.
 */
describeEngine('the format 1 → 2 migration', () => {
  const docker = testDocker();
  const dir = tempDir('volsnap-migrate-');
  const volume = uniqueName('migrate');
  const base = path.join(dir.path, 'format-1');
  const OLD_RELEASE = { VOLSNAP_TEST_STORE_FORMAT: '1' };
  let workload: TestWorkload;
  let snapshots: Snapshot[];
  /** What `extract` gave for each snapshot before the migration. */
  const contentBefore = new Map<string, string>();

  beforeAll(async () => {
    ensureCliBuilt();
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && dd if=/dev/urandom of=big bs=1M count=3 2>/dev/null && echo hello > small && mkdir d && echo x > d/y`,
    });
    capture(base, OLD_RELEASE);
    // The second snapshot shares `big` (3 MiB of random bytes) with the first.
    await runScript(docker, [`${volume}:/v`], 'echo changed > /v/small');
    capture(base, OLD_RELEASE);
    snapshots = list(base);
    expect(formats(base)).toEqual([1, 1]);
    for (const s of snapshots) contentBefore.set(s.id, extracted(base, s, 'before'));
  });
  afterAll(async () => {
    await workload?.remove();
    dir.remove();
  });

  const capture = (store: string, env: NodeJS.ProcessEnv = {}): Snapshot => {
    const run = runCliSync(store, ['capture', workload.name, '--mode', 'live', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Snapshot;
  };
  const list = (store: string): Snapshot[] => JSON.parse(runCliSync(store, ['list', '--json']).stdout) as Snapshot[];
  const formats = (store: string): number[] =>
    withStoreDb(store, (db) =>
      db.prepare('SELECT format FROM snapshot_volumes ORDER BY snapshot_id').pluck().all(),
    ) as number[];
  const migrate = (store: string): { converted: number; remaining: number; freedBytes: number; skipped: string[] } => {
    const run = runCliSync(store, ['migrate', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { converted: number; remaining: number; freedBytes: number; skipped: string[] };
  };
  /** The files `volsnap extract` writes for a snapshot, as `path sha256` lines. */
  function extracted(store: string, snapshot: Snapshot, label: string): string {
    const to = path.join(dir.path, `x-${label}-${snapshot.id}-${Math.random().toString(16).slice(2)}`);
    const run = runCliSync(store, ['extract', snapshot.id, '--to', to]);
    expect(run.code, run.stderr).toBe(0);
    const lines: string[] = [];
    const walk = (at: string) => {
      for (const name of readdirSync(at).sort()) {
        const full = path.join(at, name);
        if (statSync(full).isDirectory()) walk(full);
        else lines.push(`${path.relative(to, full)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      }
    };
    walk(to);
    return lines.join('\n');
  }
  /** Files in the snapshots' folders, by name. */
  const archiveNames = (store: string): string[] =>
    readdirSync(path.join(store, 'archives')).flatMap((id) => readdirSync(path.join(store, 'archives', id)));

  /** After the next start: every snapshot verifies, holds what it held, and its folder only what its rows name. */
  function startAndCheck(store: string): void {
    const recovered = runCliSync(store, ['recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    const listed = withStoreDb(store, (db) =>
      db.prepare('SELECT archive_file FROM snapshot_volumes').pluck().all(),
    ) as string[];
    expect(archiveNames(store).sort(), 'files in the snapshot folders = files the catalog names').toEqual(
      listed.sort(),
    );
    for (const s of snapshots) {
      const verified = runCliSync(store, ['verify', s.id]);
      expect(verified.code, `verify ${s.name}: ${verified.stdout}${verified.stderr}`).toBe(0);
      expect(extracted(store, s, 'after'), `content of ${s.name}`).toBe(contentBefore.get(s.id));
    }
  }

  it('converts every volume: same files, shared content stored once, old archives gone', () => {
    const store = path.join(dir.path, 'whole');
    cpSync(base, store, { recursive: true });
    const archiveBytes = withStoreDb(store, (db) =>
      db.prepare('SELECT SUM(stored_bytes) FROM snapshot_volumes').pluck().get(),
    ) as number;
    const report = migrate(store);
    expect(report).toMatchObject({ converted: 2, remaining: 0, skipped: [] });
    expect(report.freedBytes).toBe(archiveBytes);
    expect(formats(store)).toEqual([2, 2]);
    expect(archiveNames(store).every((n) => n.endsWith('.layout'))).toBe(true);
    // Two 3 MiB copies of `big` became one.
    expect(packBytesOf(store)).toBeLessThan(archiveBytes * 0.6);
    startAndCheck(store);
    // A second pass has nothing to do; a new capture reuses the converted chunks.
    expect(migrate(store)).toMatchObject({ converted: 0, remaining: 0 });
    const before = packBytesOf(store);
    capture(store);
    expect(packBytesOf(store) - before).toBeLessThan(256 * 1024);
  });

  describe('killed at every step, the next pass finishes', () => {
    it.each([
      'pack-committed',
      'capture-layout-synced',
      'migrate-layout-committed',
      'migrate-switched',
      'migrate-old-removed',
    ])('killed at %s: every snapshot stays readable, then the migration completes', (step) => {
      const store = path.join(dir.path, `kill-${step}`);
      cpSync(base, store, { recursive: true });
      const run = spawnSync('node', [CLI_BIN, '--data-dir', store, 'migrate'], {
        encoding: 'utf8',
        env: { ...process.env, VOLSNAP_CRASH_AT: step },
      });
      expect(run.signal, `migrate should die at ${step}: ${run.stderr}`).toBe('SIGKILL');
      startAndCheck(store);
      expect(migrate(store).remaining).toBe(0);
      expect(formats(store)).toEqual([2, 2]);
      startAndCheck(store);
    });
  });

  it('keeps the old archive while a reader holds the snapshot; the next collection removes it', () => {
    const store = path.join(dir.path, 'held');
    cpSync(base, store, { recursive: true });
    const held = snapshots[0]!;
    // A live reader: this test process, as a restore in another process would be.
    withStoreDb(
      store,
      (db) =>
        db
          .prepare(
            `INSERT INTO snapshot_leases (snapshot_id, job_id, job_kind, pid, host, heartbeat_at) VALUES (?, 'reader', 'restore', ?, ?, ?)`,
          )
          .run(held.id, process.pid, hostname(), Date.now()),
      false,
    );
    expect(migrate(store).remaining).toBe(0);
    expect(readdirSync(path.join(store, 'archives', held.id)).sort()).toEqual([
      `0-${volume}.layout`,
      `0-${volume}.tar.zst`,
    ]);
    expect(runCliSync(store, ['gc']).code).toBe(0);
    expect(readdirSync(path.join(store, 'archives', held.id))).toContain(`0-${volume}.tar.zst`);
    withStoreDb(store, (db) => db.prepare(`DELETE FROM snapshot_leases`).run(), false);
    expect(runCliSync(store, ['gc']).code).toBe(0);
    expect(readdirSync(path.join(store, 'archives', held.id))).toEqual([`0-${volume}.layout`]);
  });

  it('a collection killed between two unlisted archives: the next start removes the other', () => {
    const store = path.join(dir.path, 'held-both');
    cpSync(base, store, { recursive: true });
    // Both snapshots read while the migration runs: both keep their old archive for now.
    withStoreDb(
      store,
      (db) => {
        const hold = db.prepare(
          `INSERT INTO snapshot_leases (snapshot_id, job_id, job_kind, pid, host, heartbeat_at) VALUES (?, ?, 'restore', ?, ?, ?)`,
        );
        for (const s of snapshots) hold.run(s.id, `reader-${s.id}`, process.pid, hostname(), Date.now());
      },
      false,
    );
    expect(migrate(store).remaining).toBe(0);
    withStoreDb(store, (db) => db.prepare(`DELETE FROM snapshot_leases`).run(), false);
    const oldArchives = () =>
      snapshots.flatMap((s) => readdirSync(path.join(store, 'archives', s.id)).filter((n) => n.endsWith('.tar.zst')));
    expect(oldArchives()).toHaveLength(2);
    const run = spawnSync('node', [CLI_BIN, '--data-dir', store, 'gc'], {
      encoding: 'utf8',
      env: { ...process.env, VOLSNAP_CRASH_AT: 'gc-unlisted-removed' },
    });
    expect(run.signal, `gc should die after its first removal: ${run.stderr}`).toBe('SIGKILL');
    expect(oldArchives()).toHaveLength(1);
    startAndCheck(store);
    expect(oldArchives()).toEqual([]);
    expect(runCliSync(store, ['gc']).code).toBe(0);
    startAndCheck(store);
  });

  it('leaves a damaged archive as it is, says so, and converts the rest', () => {
    const store = path.join(dir.path, 'damaged');
    cpSync(base, store, { recursive: true });
    const damaged = snapshots[0]!;
    const archive = path.join(store, 'archives', damaged.id, `0-${volume}.tar.zst`);
    truncateSync(archive, Math.floor(statSync(archive).size / 2));
    const report = migrate(store);
    expect(report.converted).toBe(1);
    expect(report.remaining).toBe(1);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]).toContain(damaged.name);
    expect(report.skipped[0]).toMatch(/cannot be read|does not match/);
    const verified = runCliSync(store, ['verify', damaged.id]);
    expect(verified.code).not.toBe(0);
    expect(readdirSync(path.join(store, 'archives', damaged.id))).toEqual([`0-${volume}.tar.zst`]);
  });
});
