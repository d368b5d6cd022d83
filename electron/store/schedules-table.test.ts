import { afterEach, expect, it } from 'vitest';
import { openDb, type Db } from './db';
import { Leases } from './leases';
import { SchedulesTable, type ScheduleRow } from './schedules-table';
import { nextRunAt } from '../services/schedule-plan';
import { tempDir } from '../../test/engine';

const key = { engineId: 'engine-1', workloadId: 'compose:app' };
const dirs: { remove(): void }[] = [];
const dbs: Db[] = [];

afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

/** Two connections to one catalog: the app and a `run-due` from cron. */
function twoProcesses(): [Db, Db] {
  const dir = tempDir();
  dirs.push(dir);
  const pair: [Db, Db] = [openDb(dir.path), openDb(dir.path)];
  dbs.push(...pair);
  return pair;
}

const slotAt = (now: number) => (row: ScheduleRow, newest: number | null) => {
  const since = row.lastRunAt === null ? newest : Math.max(row.lastRunAt, newest ?? 0);
  const next = nextRunAt(row.rule, since, now);
  return next <= now ? new Date(next).toISOString() : null;
};

it('a slot claimed by one process is not claimed again by another, even once the workload lease is free', () => {
  const [appDb, cronDb] = twoProcesses();
  const app = new SchedulesTable(appDb);
  const cron = new SchedulesTable(cronDb);
  const now = Date.now();
  app.upsert({ ...key, workloadName: 'app' }, { kind: 'every', seconds: 3600 }, now);
  // Both saw the schedule as due; the app claims first and its capture ends (the lease is released).
  const first = app.claim(key, now, slotAt(now), () =>
    new Leases(appDb).acquire(key.workloadId, { id: 'a', kind: 'capture' }),
  );
  expect(first.kind).toBe('claimed');
  if (first.kind === 'claimed') first.lease.release();
  const second = cron.claim(key, now + 1000, slotAt(now + 1000), () =>
    new Leases(cronDb).acquire(key.workloadId, { id: 'b', kind: 'capture' }),
  );
  expect(second).toEqual({ kind: 'not-due' });
  expect(cron.get(key)).toMatchObject({ lastRunAt: now, lastOutcome: 'running' });
});

it('a busy workload leaves the slot unclaimed and no lease behind', () => {
  const [appDb, cronDb] = twoProcesses();
  const table = new SchedulesTable(cronDb);
  const now = Date.now();
  table.upsert({ ...key, workloadName: 'app' }, { kind: 'daily', at: '03:00' }, now);
  const running = new Leases(appDb).acquire(key.workloadId, { id: 'manual', kind: 'capture' });
  const claim = table.claim(key, now, slotAt(now), () =>
    new Leases(cronDb).acquire(key.workloadId, { id: 'sched', kind: 'capture' }),
  );
  expect(claim.kind).toBe('busy');
  expect(table.get(key)).toMatchObject({ lastRunAt: null, lastSlot: null });
  expect(new Leases(cronDb).holder(key.workloadId)).toEqual({ jobId: 'manual', kind: 'capture' });
  running.release();
});
