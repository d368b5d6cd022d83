import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store';
import { createServices, type Services } from '../services';
import { VolsnapError } from '../../shared/errors';
import { tempDir } from '../../test/engine';

describe('opening the store at start', () => {
  const data = tempDir('volsnap-open-');
  const blocker = path.join(data.path, 'not-a-folder');
  writeFileSync(blocker, '');
  const unwritable = path.join(blocker, 'store');
  afterAll(() => data.remove());

  it('shows why the data dir is unusable, lets the user pick another, and remembers it', () => {
    const shown: string[] = [];
    const remembered: string[] = [];
    const good = path.join(data.path, 'picked');
    const opened = openStore<Services>(() => unwritable, {
      open: (dir) => createServices({ dataDir: dir }),
      askForAnother: (_dir, message) => (shown.push(message), true),
      pickFolder: () => good,
      remember: (dir) => remembered.push(dir),
    });
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^Cannot write to the data directory .*not-a-folder\/store \(ENOTDIR\)/);
    expect(opened?.dataDir).toBe(good);
    expect(remembered).toEqual([good]);
    expect(opened?.value.snapshots.list()).toEqual([]);
    opened?.value.close();
  });

  it('asks again when the picker is cancelled, and quits when the user says so', () => {
    let asked = 0;
    const opened = openStore(() => unwritable, {
      open: (dir) => createServices({ dataDir: dir }),
      askForAnother: () => ++asked < 3,
      pickFolder: () => null,
      remember: () => expect.fail('nothing worked, nothing to remember'),
    });
    expect(opened).toBeNull();
    expect(asked).toBe(3);
  });

  it('offers another folder when config.json is damaged, and the pick replaces it', () => {
    const good = path.join(data.path, 'after-damage');
    const remembered: string[] = [];
    const opened = openStore(
      () => {
        throw new VolsnapError('InvalidInput', 'config.json should be {"dataDir": "<absolute folder>"}.');
      },
      {
        open: (dir) => createServices({ dataDir: dir }),
        askForAnother: (_dir, message) => message.startsWith('config.json should be'),
        pickFolder: () => good,
        remember: (dir) => remembered.push(dir),
      },
    );
    expect(opened?.dataDir).toBe(good);
    expect(remembered).toEqual([good]);
    opened?.value.close();
  });

  it('opens a writable data dir without asking anything', () => {
    const dir = path.join(data.path, 'fine');
    const opened = openStore(() => dir, {
      open: (d) => createServices({ dataDir: d }),
      askForAnother: () => expect.fail('nothing to ask'),
      pickFolder: () => null,
      remember: () => expect.fail('the default needs no pointer'),
    });
    expect(opened?.dataDir).toBe(dir);
    opened?.value.close();
  });
});
