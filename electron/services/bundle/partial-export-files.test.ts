import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/engine';
import { openDb, type Db } from '../../store/db';
import { HOST } from '../../store/liveness';
import { PartialExports } from '../../store/partial-exports';
import { partialPathFor, removeDeadPartialExports } from './partial-export-files';

describe('temporary files of exports whose process died', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let partials: PartialExports;
  // A process id that has exited (the sweep asks the system whether it still runs).
  const deadPid = spawnSync('true').pid;
  const noteAsDead = (file: string) =>
    db.prepare('INSERT INTO partial_exports (path, pid, host) VALUES (?, ?, ?)').run(file, deadPid, HOST);
  const rows = () => db.prepare('SELECT path FROM partial_exports ORDER BY path').pluck().all();

  beforeEach(() => {
    dir = tempDir('volsnap-partials-');
    db = openDb(path.join(dir.path, 'store'));
    partials = new PartialExports(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it("removes a dead export's file and keeps a live one's", async () => {
    const dead = partialPathFor(path.join(dir.path, 'a.volsnap'));
    const live = partialPathFor(path.join(dir.path, 'b.volsnap'));
    writeFileSync(dead, 'half a bundle');
    writeFileSync(live, 'a bundle being written');
    noteAsDead(dead);
    partials.note(live); // this process: alive
    expect(await removeDeadPartialExports(partials)).toBe(1);
    expect(readdirSync(dir.path).sort()).toEqual([path.basename(live), 'store']);
    expect(rows()).toEqual([live]);
  });

  it('a forged row removes nothing but a regular file named as an export temporary', async () => {
    const folder = path.join(dir.path, 'forged');
    mkdirSync(folder);
    const precious = path.join(folder, 'precious.txt');
    writeFileSync(precious, 'mine');
    const link = path.join(folder, '.a.volsnap.0123abcd.partial');
    symlinkSync(precious, link);
    const folderNamedLikeOne = path.join(folder, '.c.volsnap.00000000.partial');
    mkdirSync(folderNamedLikeOne);
    for (const file of [precious, link, folderNamedLikeOne, '.d.volsnap.11111111.partial', '']) noteAsDead(file);
    expect(await removeDeadPartialExports(partials)).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([
      path.basename(link),
      path.basename(folderNamedLikeOne),
      'precious.txt',
    ]);
    expect(rows()).toEqual([]);
  });
});
