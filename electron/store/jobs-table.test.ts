import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db';
import { JobsTable } from './jobs-table';
import { Leases } from './leases';
import { JobRunner } from '../services/jobs';
import { jobPhaseText } from '../../shared/job-phase';
import { tempDir } from '../../test/engine';

describe('jobs table', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let table: JobsTable;

  beforeEach(() => {
    dir = tempDir();
    db = openDb(dir.path);
    table = new JobsTable(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('reads the free-text phases and kind-less results of older versions as typed ones', () => {
    table.insert({ id: 'old1', kind: 'restore', workloadId: 'compose:app', snapshotId: 's1' });
    table.update('old1', { phase: 'starting-containers' });
    // What a version before the closed set of phases wrote in its columns.
    db.prepare(`UPDATE jobs SET phase = 'starting containers: busy; retrying db (attempt 2)' WHERE id = 'old1'`).run();
    db.prepare(`UPDATE jobs SET status = 'succeeded', result = ? WHERE id = 'old1'`).run(
      JSON.stringify({ snapshotId: 's1', containersGone: ['web'] }),
    );
    const [job] = table.recent();
    expect(job!.phase).toBe('starting-containers');
    expect(job!.result).toEqual({ kind: 'restore', snapshotId: 's1', containersGone: ['web'] });
    for (const [text, phase] of [
      ['capturing app_data', 'capturing'],
      ['safety snapshot: preparing: pulling busybox', 'preparing'],
      ['removing the old contents', 'removing-old'],
      ['starting', 'starting'],
      ['something else', 'starting'],
    ]) {
      db.prepare(`UPDATE jobs SET phase = ? WHERE id = 'old1'`).run(text);
      expect(table.recent()[0]!.phase).toBe(phase);
    }
  });

  it('keeps a running job’s volume in its phase, in words, for the other processes’ views', async () => {
    const runner = new JobRunner(table, new Leases(db));
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const handle = runner.start({ kind: 'capture', workloadId: 'compose:app' }, async (ctx) => {
      ctx.progress({ phase: 'capturing', volume: 'app_data', bytesDone: 10 });
      await held;
      return { id: 'snap1' };
    });
    const mine = runner.recent().find((j) => j.id === handle.jobId)!;
    expect(jobPhaseText(mine)).toBe('capturing app_data');
    // Another process reads the row: the phase, and the volume from the saved progress.
    const theirs = new JobsTable(db).recent().find((j) => j.id === handle.jobId)!;
    expect(theirs.phase).toBe('capturing');
    expect(jobPhaseText(theirs)).toBe('capturing app_data');
    release();
    await handle.done;
  });

  it('tags a finished job’s result with its kind', async () => {
    const runner = new JobRunner(table, new Leases(db));
    await runner.start(
      { kind: 'capture', workloadId: 'compose:app', toResult: (s: { id: string }) => ({ snapshotId: s.id }) },
      async () => ({ id: 'snap1' }),
    ).done;
    const [job] = table.recent();
    expect(job!.result).toEqual({ kind: 'capture', snapshotId: 'snap1' });
    expect(job!.kind === 'capture' && job!.result?.snapshotId).toBe('snap1');
  });
});
