import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { archiveVolume } from './volume-archiver';
import { createHelper, removeHelper } from '../docker/helper';
import { describeEngine, runScript, testDocker, uniqueName } from '../../test/engine';

// A cancel while the Engine prepares the volume's archive (a second or more before the first
// byte) must stop the capture: it used to be lost, and the whole volume was stored anyway.
describeEngine('archiveVolume and cancel', () => {
  const docker = testDocker();
  const volume = uniqueName('cancel-wait');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'volsnap-cancel-'));
  afterAll(async () => {
    await docker
      .getVolume(volume)
      .remove()
      .catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cancel during the wait for the first byte ends the capture as Cancelled, writing nothing', async () => {
    await runScript(
      docker,
      [`${volume}:/v`],
      'for i in $(seq 1 20); do dd if=/dev/urandom of=/v/f$i bs=1M count=1 2>/dev/null; done',
    );
    const helper = await createHelper(docker, {
      image: 'busybox:latest',
      volumes: [volume],
      readOnly: true,
      jobId: 'cancel-wait',
    });
    try {
      const abort = new AbortController();
      const archived = archiveVolume({
        helper,
        volumeName: volume,
        tempPath: path.join(dir, 'v.tar.zst'),
        format: 1,
        dataDir: dir,
        signal: abort.signal,
        onProgress: () => undefined,
      });
      abort.abort(); // archiveVolume is now awaiting the Engine's answer
      await expect(archived).rejects.toMatchObject({ kind: 'Cancelled' });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await removeHelper(helper);
    }
  });
});
