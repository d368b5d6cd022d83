import { expect, it } from 'vitest';
import { createServices } from '../index';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
} from '../../../test/engine';

/**
 * Device nodes, FIFOs, setuid/setgid files and names with newlines restore as captured when this
 * store captured them; a snapshot that records `special_files = 'refused'` (what an import without
 * --allow-special-files will write) is refused before the workload is stopped.
 */
describeEngine('special files', () => {
  const docker = testDocker();

  it('restore as captured from this store, and are refused where the snapshot does not allow them', async () => {
    const name = uniqueName('vsspecial');
    const volume = `${name}-v`;
    const w = await createWorkload(docker, {
      services: [{ name, volumes: [{ volume, destination: '/data' }], restart: 'unless-stopped' }],
      seed: `v=/seed/${volume}; mkfifo $v/pipe; mknod $v/null c 1 3; echo s > $v/suid; chmod 4755 $v/suid;
             mkdir $v/shared; chmod 2775 $v/shared; echo n > "$v/new
line"`,
    });
    const dir = tempDir();
    const services = createServices({ dataDir: dir.path, docker });
    try {
      const captured = await volumeTree(docker, volume);
      expect(captured.map((e) => e.type)).toEqual(
        expect.arrayContaining(['fifo', 'character special file', 'regular file', 'directory']),
      );
      const snap = await (await services.capture.start({ workload: w.id, name: `${name}-s`, mode: 'live' })).done;
      expect(services.catalog.get(snap.id)?.specialFiles).toBe('allowed');
      await runScript(docker, [`${volume}:/v`], 'rm -rf /v/* && echo other > /v/other');

      const restored = await services.restore.start({ snapshot: snap.id, confirm: snap.name, safetySnapshot: false });
      await restored.done;
      expect(await volumeTree(docker, volume)).toEqual(captured);

      services.catalog.setSpecialFiles(snap.id, 'refused');
      const startedAt = (await docker.getContainer(name).inspect()).State.StartedAt;
      await expect(services.restore.start({ snapshot: snap.id, confirm: snap.name })).rejects.toMatchObject({
        kind: 'Integrity',
        message: /does not allow special files/,
      });
      expect((await docker.getContainer(name).inspect()).State.StartedAt, 'never stopped').toBe(startedAt);
      expect(services.catalog.list().filter((s) => s.trigger === 'pre-restore')).toEqual([]);
      expect(await volumeTree(docker, volume)).toEqual(captured);
    } finally {
      services.close();
      await w.remove();
      dir.remove();
    }
  });
});
