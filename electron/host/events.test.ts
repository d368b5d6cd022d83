import Docker from 'dockerode';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bridgeEvents, watchCatalog, watchOtherJobs } from './events';
import { JobsTable } from '../store/jobs-table';
import { Leases } from '../store/leases';
import { JobRunner } from '../services/jobs';
import { createServices } from '../services';
import { openDb } from '../store/db';
import { tempDir } from '../../test/engine';
import type { EventMap, EventName } from '../../shared/contract';

const dir = tempDir();
const dataDir = path.join(dir.path, 'data');
const services = createServices({ dataDir, docker: new Docker({ socketPath: path.join(dir.path, 'none.sock') }) });

afterAll(() => {
  services.close();
  dir.remove();
});

const until = async (check: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('bridgeEvents', () => {
  it('emits jobs:changed when a job starts and ends, and its progress', async () => {
    const seen: { event: EventName; payload: EventMap[EventName] }[] = [];
    const stop = bridgeEvents(services, (event, payload) => seen.push({ event, payload }));
    try {
      const handle = services.jobs.start({ kind: 'diff', workloadId: 'container:events-test' }, async (ctx) => {
        ctx.progress({ phase: 'comparing', bytesDone: 1 });
        return 1;
      });
      await handle.done;
      const changes = seen
        .filter((e) => e.event === 'jobs:changed')
        .map((e) => (e.payload as { status: string }).status);
      expect(changes).toEqual(['running', 'succeeded']);
      expect(seen.some((e) => e.event === 'jobs:progress')).toBe(true);
      expect(seen.some((e) => e.event === 'snapshots:list-changed')).toBe(true);
    } finally {
      stop();
    }
  });
});

describe('watchCatalog', () => {
  it("notices another process's insert, rename and delete of a snapshot", async () => {
    const changed: string[] = [];
    const stop = watchCatalog(services.catalogWatch, (id) => changed.push(id), 50);
    const other = openDb(dataDir); // another connection, as the CLI would hold
    try {
      const insert = other.prepare(
        `INSERT INTO snapshots (id, name, workload_id, workload_name, created_at, trigger, mode, status)
         VALUES ('aaaa', 'one', 'compose:w', 'w', '2026-01-01T00:00:00Z', 'cli', 'live', 'ready')`,
      );
      insert.run();
      expect(await until(() => changed.length === 1)).toBe(true);
      other.prepare(`UPDATE snapshots SET name = 'two' WHERE id = 'aaaa'`).run();
      expect(await until(() => changed.length === 2)).toBe(true);
      other.prepare(`DELETE FROM snapshots WHERE id = 'aaaa'`).run();
      expect(await until(() => changed.length === 3)).toBe(true);
      // A commit that touches no snapshot (a lease heartbeat, a job row) is not a list change.
      other.prepare(`INSERT INTO settings (key, value) VALUES ('keepLast', '5')`).run();
      await new Promise((r) => setTimeout(r, 200));
      expect(changed).toEqual(['compose:w', 'compose:w', 'compose:w']);
    } finally {
      stop();
      other.close();
    }
  });
});

describe('watchOtherJobs', () => {
  it("passes on another process's job as it starts, changes phase and ends; not our own", async () => {
    const changed: { id: string; status: string; phase: string }[] = [];
    const stop = watchOtherJobs(services.catalogWatch, services.jobs, (job) => changed.push(job), 50);
    const other = openDb(dataDir); // the CLI's connection
    const theirs = new JobsTable(other);
    try {
      theirs.insert({ id: 'cafe000000000001', kind: 'capture', workloadId: 'compose:w', snapshotId: null });
      expect(await until(() => changed.length === 1)).toBe(true);
      theirs.update('cafe000000000001', { phase: 'capturing' });
      expect(await until(() => changed.length === 2)).toBe(true);
      theirs.finish('cafe000000000001', 'succeeded');
      expect(await until(() => changed.length === 3)).toBe(true);
      expect(changed.map((j) => [j.id, j.status, j.phase])).toEqual([
        ['cafe000000000001', 'running', 'starting'],
        ['cafe000000000001', 'running', 'capturing'],
        ['cafe000000000001', 'succeeded', 'capturing'],
      ]);
      // Our own jobs already fire their events: not repeated here.
      await services.jobs.start({ kind: 'diff', workloadId: 'container:ours', exclusive: false }, async () => 1).done;
      other.prepare(`INSERT OR REPLACE INTO settings (key, value) VALUES ('keepLast', '6')`).run();
      await new Promise((r) => setTimeout(r, 200));
      expect(changed).toHaveLength(3);
    } finally {
      stop();
      other.close();
    }
  });
});

describe("another process's job progress", () => {
  it('reaches this process with its bytes while the job runs', async () => {
    const changed: { id: string; status: string; progress: { bytesDone: number } | null }[] = [];
    const stop = watchOtherJobs(services.catalogWatch, services.jobs, (job) => changed.push(job), 50);
    const other = openDb(dataDir); // the CLI's connection, with its own job runner
    const runner = new JobRunner(new JobsTable(other), new Leases(other));
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      const handle = runner.start({ kind: 'capture', workloadId: 'compose:progress' }, async (ctx) => {
        ctx.progress({ phase: 'capturing', volume: 'w_data', bytesDone: 4096, bytesTotal: 8192, ratio: 0.5 });
        await held;
      });
      const withBytes = () => changed.find((j) => j.id === handle.jobId && j.status === 'running' && j.progress);
      expect(await until(() => withBytes() !== undefined)).toBe(true);
      expect(withBytes()!.progress!.bytesDone).toBe(4096);
      release();
      await handle.done;
    } finally {
      release();
      stop();
      other.close();
    }
  });
});
