import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BundleService } from './bundle-service';
import { createServices, type Services } from '..';
import {
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TreeEntry,
} from '../../../test/engine';
import type { ManifestEntry } from '../../../shared/types';

/**
 * The fixtures are made by running, in busybox on the private engine, the exact tar command line
 * each tool runs (from its published source), over a seeded volume:
 * - vackup (BretFisher/docker-vackup, `vackup export`) and Docker's Volumes Backup & Share
 *   extension (docker/volumes-backup-extension, vm/internal/handler/export.go): the volume mounted
 *   at /vackup-volume, `tar -zcvf /vackup/<file> /vackup-volume` → `vackup-volume/…` entries, gzip.
 * - docker-volume-snapshot (junedkhatri31/docker-volume-snapshot, `create`): the volume at
 *   /source, `tar cvaf /dest/<file> -C /source .` → `./…` entries, compression by extension
 *   (.tar.gz, .tar.bz2, plain .tar).
 * - .tar.zst: `tar -cvf - -C /source .` compressed by Debian's zstd (what `tar --zstd` writes).
 */
const FIXTURES = [
  {
    file: 'vackup.tar.gz',
    tool: 'vackup / Volumes Backup & Share',
    mount: '/vackup-volume',
    cmd: 'tar -zcvf /out/vackup.tar.gz /vackup-volume',
  },
  {
    file: 'dvs.tar.gz',
    tool: 'docker-volume-snapshot',
    mount: '/source',
    cmd: 'tar cvaf /out/dvs.tar.gz -C /source .',
  },
  {
    file: 'dvs.tar.bz2',
    tool: 'docker-volume-snapshot',
    mount: '/source',
    cmd: 'tar cvaf /out/dvs.tar.bz2 -C /source .',
  },
  { file: 'dvs.tar', tool: 'docker-volume-snapshot', mount: '/source', cmd: 'tar cvaf /out/dvs.tar -C /source .' },
  { file: 'plain.tar.zst', tool: 'tar --zstd', mount: '/source', cmd: 'tar -cvf /out/plain.tar -C /source .' },
] as const;

const SEED = `
  mkdir -p /v/db/base /v/conf && echo 'port = 5432' > /v/conf/pg.conf && chmod 600 /v/conf/pg.conf
  head -c 200000 /dev/urandom > /v/db/base/16384 && : > /v/db/empty
  ln -s conf/pg.conf /v/current && ln /v/db/base/16384 /v/db/hardlinked
  chown -R 999:999 /v/db && chmod 700 /v/db`;

describeEngine('import of other tools’ volume archives (real engine)', () => {
  const docker = testDocker();
  const data = tempDir('volsnap-foreign-');
  const out = tempDir('volsnap-foreign-files-');
  const source = uniqueName('foreign-src');
  const created: string[] = [source];
  let services: Services;
  let bundles: BundleService;
  let original: TreeEntry[];

  beforeAll(async () => {
    services = createServices({ dataDir: data.path, docker });
    bundles = new BundleService(services);
    await docker.createVolume({ Name: source });
    await runScript(docker, [`${source}:/v`], SEED);
    original = await volumeTree(docker, source);
    for (const f of FIXTURES) await runScript(docker, [`${source}:${f.mount}:ro`, `${out.path}:/out`], f.cmd);
    const zstd = spawnSync('zstd', [
      '-q',
      '--rm',
      path.join(out.path, 'plain.tar'),
      '-o',
      path.join(out.path, 'plain.tar.zst'),
    ]);
    expect(zstd.status).toBe(0);
  }, 300_000);
  afterAll(async () => {
    services.close();
    for (const v of created)
      await docker
        .getVolume(v)
        .remove({ force: true })
        .catch(() => undefined);
    data.remove();
    out.remove();
  });

  it.each(FIXTURES)('imports $tool’s $file with the manifest of the volume it came from', async (f) => {
    const volume = uniqueName('foreign');
    const snapshot = await bundles.import({ file: path.join(out.path, f.file), volume });
    expect(snapshot).toMatchObject({ status: 'ready', trigger: 'import', workloadId: `volume:${volume}` });
    expect(snapshot.provenance?.imported?.source).toBe(f.file.replace(/^[^.]*\./, ''));
    const rows = services.catalog.manifest(snapshot.id, 0);
    const byPath = new Map(rows.map((e) => [e.path, e]));
    // A hardlink is, to a directory listing, the file it links to.
    const stored = rows.map((e) => (e.type === 'hardlink' ? { ...byPath.get(e.linkTarget!)!, path: e.path } : e));
    expect(asTree(stored)).toEqual(asTree(original.map(fromTree)));
    expect(readdirSync(path.join(data.path, 'incoming'))).toEqual([]);
  });

  it('restores an imported vackup archive into a new volume identical to the original', async () => {
    const volume = uniqueName('foreign-restored');
    created.push(volume);
    const snapshot = await bundles.import({ file: path.join(out.path, 'vackup.tar.gz'), volume, name: 'from-vackup' });
    const restore = await services.restore.start({
      snapshot: snapshot.id,
      confirm: 'from-vackup',
      safetySnapshot: false,
    });
    await restore.done;
    expect(await volumeTree(docker, volume)).toEqual(original);
  }, 300_000);
});

/** What both listings agree on: path, kind, mode, owner, size, content hash, link target. */
function asTree(
  entries: {
    path: string;
    type: string;
    mode: number;
    uid: number;
    gid: number;
    size: number;
    sha256: string | null;
    linkTarget: string | null;
  }[],
) {
  return entries
    .filter((e) => e.path !== '.')
    .map(({ path: p, type, mode, uid, gid, size, sha256, linkTarget }) => ({
      p,
      type,
      mode,
      uid,
      gid,
      size: type === 'file' ? size : 0,
      sha256: type === 'file' ? sha256 : null,
      linkTarget,
    }))
    .sort((a, b) => (a.p < b.p ? -1 : 1));
}

function fromTree(t: TreeEntry): ManifestEntry {
  const type = t.type === 'directory' ? 'dir' : t.type === 'symbolic link' ? 'symlink' : 'file';
  return {
    path: t.path,
    type,
    size: t.size,
    mode: parseInt(t.mode, 8),
    uid: t.uid,
    gid: t.gid,
    mtime: 0,
    sha256: t.sha256,
    linkTarget: t.linkTarget,
  };
}
