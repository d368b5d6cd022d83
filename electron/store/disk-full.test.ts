import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskFullError, RESERVE_FILE } from './disk-full';
import { tempDir } from '../../test/engine';

describe('the disk-full message', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('volsnap-disk-full-');
  });
  afterEach(() => dir.remove());

  it('names the CLI commands that still work, and the reserve once there is one', () => {
    const before = diskFullError(dir.path).message;
    expect(before).toContain(`The disk holding the Volsnap data directory ${dir.path} is full`);
    expect(before).toContain('run the command again');
    expect(before).toContain('(list, show, jobs, workloads, config get) keep working');
    expect(before).not.toContain('reserve');
    writeFileSync(path.join(dir.path, RESERVE_FILE), '');
    expect(diskFullError(dir.path).message).toMatch(
      /Deleting snapshots \(delete, prune, gc\) and exporting them to another disk still work: Volsnap keeps space in reserve for them\.$/,
    );
  });

  it("speaks the app's language in the app: what its screens do, no commands", () => {
    writeFileSync(path.join(dir.path, RESERVE_FILE), '');
    const message = diskFullError(dir.path, 'app').message;
    expect(message).toContain(`The disk holding the Volsnap data directory ${dir.path} is full`);
    expect(message).toContain('Nothing was lost');
    expect(message).toContain('Free some space on that disk, then try again.');
    expect(message).toContain('The lists of workloads, snapshots and jobs keep showing meanwhile.');
    expect(message).toMatch(/Deleting snapshots and exporting them to another disk still work: .*reserve/);
    expect(message).not.toMatch(/prune|config get|run the command|data directory elsewhere/);
  });
});
