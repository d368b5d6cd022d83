import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createServices, type Services } from '../index';
import { runCli, type CliRun } from './restore-fixture.test-util';
import { createWorkload, runScript, tempDir, uniqueName, volumeTree, type TreeEntry } from '../../../test/engine';

/**
 * A compose workload whose two volumes carry compose's labels, captured once, then taken apart as
 * `docker compose down` would: its containers removed (`docker rm -f`), and one volume removed too.
 */
export interface RemovedFixture {
  docker: Docker;
  dataDir: string;
  project: string;
  /** `<project>_data` (kept) and `<project>_cache` (removed). */
  kept: string;
  removed: string;
  snapshot: { id: string; name: string };
  /** Each volume's tree at capture. */
  snapTrees: Record<string, TreeEntry[]>;
  services: Services;
  /** Containers gone, `removed` gone, `kept` changed since the capture. */
  takeApart(): Promise<void>;
  /** Both volumes' trees (null for a volume that does not exist). */
  trees(): Promise<Record<string, TreeEntry[] | null>>;
  /** The kept volume's tree after takeApart. */
  oldKept: TreeEntry[];
  cli(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** The project's containers (there must be none after any restore). */
  containers(): Promise<string[]>;
  remove(): Promise<void>;
}

const SEED = `
  d=/seed/$KEPT; c=/seed/$REMOVED
  mkdir -p $d/pg/base $c/tmp; echo one > $d/pg/base/1; echo two > $d/two; ln -s two $d/link; ln $d/two $d/hard
  chown -R 999:999 $d/pg; chmod 700 $d/pg; echo cached > $c/tmp/entry; chmod 1777 $c/tmp
`;

export function composeLabels(project: string, key: string): Record<string, string> {
  return {
    'io.volsnap.test': '1',
    'com.docker.compose.project': project,
    'com.docker.compose.volume': key,
    'com.docker.compose.version': '2.24.0',
  };
}

export async function createRemovedFixture(docker: Docker): Promise<RemovedFixture> {
  if (!existsSync(path.resolve('dist/cli.cjs'))) throw new Error('build first: npm run build');
  const project = uniqueName('vsgone');
  const kept = `${project}_data`;
  const removed = `${project}_cache`;
  // Made as compose makes them; createWorkload's own create then finds them.
  await docker.createVolume({ Name: kept, Labels: composeLabels(project, 'data') });
  await docker.createVolume({ Name: removed, Labels: composeLabels(project, 'cache') });
  const workload = await createWorkload(docker, {
    project,
    services: [
      { name: 'db', volumes: [{ volume: kept, destination: '/var/lib/db' }], restart: 'always' },
      { name: 'cache', volumes: [{ volume: removed, destination: '/cache' }], restart: 'unless-stopped' },
    ],
    seed: `KEPT=${kept}; REMOVED=${removed};` + SEED,
  });
  const dir = tempDir('volsnap-removed-');
  const services = createServices({ dataDir: dir.path, docker });
  const snap = await (
    await services.capture.start({ workload: workload.id, name: `${project}-snap`, mode: 'live' })
  ).done;
  const tree = async (v: string) => ((await volumeExists(docker, v)) ? volumeTree(docker, v) : null);
  const snapTrees = { [kept]: (await tree(kept))!, [removed]: (await tree(removed))! };
  const fixture: RemovedFixture = {
    docker,
    dataDir: dir.path,
    project,
    kept,
    removed,
    snapshot: { id: snap.id, name: snap.name },
    snapTrees,
    services,
    oldKept: [],
    async takeApart() {
      for (const c of workload.containers)
        await docker
          .getContainer(c)
          .remove({ force: true })
          .catch(() => undefined);
      await docker
        .getVolume(removed)
        .remove()
        .catch((e: { statusCode?: number }) => {
          if (e.statusCode !== 404) throw e;
        });
      await runScript(
        docker,
        [`${kept}:/k`],
        'rm -rf /k/* /k/.[!.]* 2>/dev/null; echo changed > /k/two; mkdir /k/new; echo n > /k/new/n',
      );
      fixture.oldKept = await volumeTree(docker, kept);
    },
    trees: async () => ({ [kept]: await tree(kept), [removed]: await tree(removed) }),
    cli: (args, env = {}) => runCli(['--data-dir', dir.path, ...args], env),
    async containers() {
      const listed = await docker.listContainers({
        all: true,
        filters: { label: [`com.docker.compose.project=${project}`] },
      });
      return listed.map((c) => c.Names[0] ?? c.Id);
    },
    async remove() {
      services.close();
      await workload.remove();
      dir.remove();
    },
  };
  return fixture;
}

export async function volumeExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch {
    return false;
  }
}
