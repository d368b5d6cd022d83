import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from './index';
import { describeEngine, runScript, tempDir, testDocker, uniqueName, volumeTree } from '../../test/engine';

/**
 * Volumes without a container: a named volume of no compose project is a workload of its own
 * (`volume:<name>`) that can be captured, restored and cloned; a removed compose project keeps
 * its volumes under its own workload, shown as removed; anonymous volumes only on request.
 */
describeEngine('volumes without a container are workloads', () => {
  const docker = testDocker();
  const name = uniqueName('vsalone');
  const project = uniqueName('vsdown');
  const projectVolume = `${project}_data`;
  const anonymous = randomBytes(32).toString('hex');
  const clone = `${name}-clone`;
  const dir = tempDir('volsnap-alone-');
  let services: Services;

  beforeAll(async () => {
    await docker.createVolume({ Name: name, Labels: { 'io.volsnap.test': '1' } });
    await docker.createVolume({
      Name: projectVolume,
      Labels: { 'io.volsnap.test': '1', 'com.docker.compose.project': project, 'com.docker.compose.volume': 'data' },
    });
    await docker.createVolume({ Name: anonymous, Labels: { 'io.volsnap.test': '1' } });
    await runScript(docker, [`${name}:/v`], 'echo one > /v/file; mkdir /v/d; chmod 711 /v/d');
    services = createServices({ dataDir: dir.path, docker });
  });
  afterAll(async () => {
    services?.close();
    for (const v of [name, projectVolume, anonymous, clone])
      await docker
        .getVolume(v)
        .remove()
        .catch(() => undefined);
    dir.remove();
  });

  it('lists a lone named volume as volume:<name>, a downed project under its compose workload as removed', async () => {
    const workloads = await services.workloads.list();
    expect(workloads.find((w) => w.id === `volume:${name}`)).toMatchObject({
      kind: 'volume',
      containers: [],
      volumes: [{ name, anonymous: false, mounts: [] }],
    });
    expect(workloads.find((w) => w.id === `compose:${project}`)).toMatchObject({
      removed: true,
      containers: [],
      volumes: [{ name: projectVolume }],
    });
    expect(workloads.some((w) => w.id === `volume:${projectVolume}`)).toBe(false);
    expect(workloads.some((w) => w.id === `volume:${anonymous}`)).toBe(false);
    const all = await services.workloads.list(undefined, { showAnonymous: true });
    expect(all.some((w) => w.id === `volume:${anonymous}`)).toBe(true);
  });

  it('captures, restores and clones a lone volume', async () => {
    const snap = await (
      await services.capture.start({ workload: `volume:${name}`, name: `${name}-s`, mode: 'live' })
    ).done;
    const captured = await volumeTree(docker, name);
    await runScript(docker, [`${name}:/v`], 'echo two > /v/file; rm -r /v/d; echo new > /v/new');
    const restore = await services.restore.start({ snapshot: snap.id, confirm: snap.name });
    await restore.done;
    expect(await volumeTree(docker, name)).toEqual(captured);
    const cloned = await (await services.clone.start({ snapshot: snap.id, volume: name, to: clone })).done;
    expect(cloned.volumes).toEqual([{ from: name, to: clone }]);
    expect(await volumeTree(docker, clone)).toEqual(captured);
  }, 180_000);
});
