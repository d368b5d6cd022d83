import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveSnapshotEntry, useSavePicker } from './save-as';
import { createServices, type Services } from '../services';
import { seedSnapshot } from '../services/snapshot-files/seed.test-util';
import { tempDir } from '../../test/engine';

const dir = tempDir();
let services: Services;
let id: string;

beforeAll(async () => {
  services = createServices({ dataDir: path.join(dir.path, 'data') });
  id = await seedSnapshot(services, {
    volume: 'vol',
    entries: [
      { path: '.', type: 'Directory' },
      { path: 'notes.txt', type: 'File', body: 'hello\n' },
    ],
  });
});
afterAll(() => {
  useSavePicker(null);
  services.close();
  dir.remove();
});

it('saves a file where the native dialog says, suggesting its own name', async () => {
  const asked: string[] = [];
  const target = path.join(dir.path, 'picked.txt');
  useSavePicker(async (name) => (asked.push(name), target));
  expect(await saveSnapshotEntry(services, { snapshot: id, path: 'notes.txt' })).toEqual({ savedTo: target });
  expect(asked).toEqual(['notes.txt']);
  expect(readFileSync(target, 'utf8')).toBe('hello\n');
});

it('writes nothing when the dialog is cancelled, and is unsupported without a dialog (the web host)', async () => {
  useSavePicker(async () => null);
  expect(await saveSnapshotEntry(services, { snapshot: id, path: '.' })).toEqual({ savedTo: null });
  useSavePicker(null);
  await expect(saveSnapshotEntry(services, { snapshot: id, path: 'notes.txt' })).rejects.toThrow(
    /needs the desktop app.*download link/,
  );
});
