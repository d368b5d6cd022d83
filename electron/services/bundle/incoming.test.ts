import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openIncoming } from './incoming';
import { ArchiveFiles } from '../../store/archive-files';
import { tempDir } from '../../../test/engine';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('volsnap-incoming-');
});
afterEach(() => dir.remove());

it('flushes every received archive to the disk before moving it into the store', async () => {
  const events: string[] = [];
  const files = new ArchiveFiles(dir.path);
  const area = await openIncoming(dir.path, 'abcdef0123456789', async (file) => {
    // Still in the temporary area when flushed, with every byte written.
    events.push(`sync ${path.basename(file)} ${readFileSync(file, 'utf8')}`);
  });
  writeFileSync(area.pathOf('0-db.tar.zst'), 'first');
  writeFileSync(area.pathOf('1-uploads.tar.zst'), 'second');
  await area.commit(files);
  expect(events.sort()).toEqual(['sync 0-db.tar.zst first', 'sync 1-uploads.tar.zst second']);
  expect(readFileSync(files.pathOf('abcdef0123456789', '1-uploads.tar.zst'), 'utf8')).toBe('second');
  expect(existsSync(area.pathOf('0-db.tar.zst'))).toBe(false);
});
