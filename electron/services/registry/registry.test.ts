import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeImageLayer } from './image-layer';
import { bundleParts, type BundleParts } from '../bundle/export';
import { StreamFilesWorker } from '../bundle/stream-files';
import { parseImageReference } from '../../docker/image-reference';
import { importImage, inspectImage, pushImage, removeImage } from '../../docker/images';
import { ArchiveFiles } from '../../store/archive-files';
import { storedVolumeReader } from '../stored-volumes/stored-volume-reader';
import { Catalog } from '../../store/catalog';
import { openDb } from '../../store/db';
import { Leases } from '../../store/leases';
import { ensureCliBuilt, runCliSync, type CliResult } from '../../../test/cli';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  volumeTree,
  type TestWorkload,
} from '../../../test/engine';
import { registryAvailable, startRegistry, type TestRegistry } from '../../../test/registry';
import type { Snapshot } from '../../../shared/types';

/**
 * Push and pull through a real registry (Debian's docker-registry with htpasswd auth on 127.0.0.1)
 * and the private Engine, with the CLI as a user runs it and credentials as `docker login` leaves them.
 */
// Several CLI runs per test on a loaded 2-core machine: generous limits, no timed assertions.
describeEngine('snapshots travel through a registry', { timeout: 600_000 }, () => {
  const docker = testDocker();
  const stores: { path: string; remove(): void }[] = [];
  let registry: TestRegistry;
  let workload: TestWorkload;
  let source: { path: string; remove(): void };
  let captured: Snapshot;

  const newStore = () => {
    const dir = tempDir('volsnap-registry-store-');
    stores.push(dir);
    return dir.path;
  };
  const json = <T>(r: CliResult): T => {
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  const login = () => ({ DOCKER_CONFIG: registry.loginConfigDir });
  const refOf = (tag: string) => `${registry.host}/${uniqueName('team/snap')}:${tag}`;

  beforeAll(async () => {
    if (!registryAvailable()) throw new Error('docker-registry and htpasswd are missing: run scripts/install-deps.sh');
    ensureCliBuilt();
    registry = await startRegistry();
    const volume = uniqueName('reg-data');
    // A `.wh.` name would be a deletion if volume files were image layer files: they must survive.
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('reg-app'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && mkdir -p sub/deep && echo hello > a.txt && echo gone? > sub/.wh.a.txt &&
        head -c 300000 /dev/urandom > sub/deep/blob && ln -s ../a.txt sub/link && chmod 600 a.txt && chown 1234:5678 sub/deep/blob`,
    });
    source = tempDir('volsnap-registry-source-');
    captured = json<Snapshot>(runCliSync(source.path, ['--json', 'capture', workload.id, '--name', 'before-push']));
  }, 600_000);

  afterAll(async () => {
    await workload?.remove();
    source?.remove();
    stores.forEach((s) => s.remove());
    await registry?.stop();
  });

  it('round trip: push, remove the local image, pull into an empty store, restore: the volume is identical', async () => {
    const volume = workload.volumes[0]!;
    const original = await volumeTree(docker, volume);
    const ref = refOf('v1');
    const pushed = json<{ digest: string; reference: string; keptImage: boolean }>(
      runCliSync(source.path, ['--json', 'push', 'before-push', ref], login()),
    );
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await inspectImage(docker, ref), 'push removes its local image').toBeNull();

    const target = newStore();
    const pulled = json<{ snapshot: Snapshot; digest: string }>(runCliSync(target, ['--json', 'pull', ref], login()));
    expect(pulled.digest).toBe(pushed.digest);
    expect(pulled.snapshot).toMatchObject({ name: 'before-push', trigger: 'pull', status: 'ready' });
    expect(pulled.snapshot.provenance?.imported).toMatchObject({
      source: 'registry',
      image: { reference: ref, digest: pushed.digest },
    });
    expect(await inspectImage(docker, ref), 'pull removes the image it pulled').toBeNull();
    expect(await readerContainers(), 'no container is left of the pull').toEqual([]);

    await runScript(docker, [`${volume}:/v`], 'rm -rf /v/* && echo changed > /v/new');
    const restored = runCliSync(target, [
      'restore',
      pulled.snapshot.id,
      '--confirm',
      'before-push',
      '--no-safety-snapshot',
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await volumeTree(docker, volume)).toEqual(original);
  });

  it('push without credentials fails with the registry and how to log in, and pushes nothing', async () => {
    const ref = refOf('nocreds');
    const r = runCliSync(source.path, ['--json', 'push', 'before-push', ref], {
      DOCKER_CONFIG: registry.emptyConfigDir,
    });
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('InvalidInput');
    expect(error.message).toContain(`The registry ${registry.host} asks for credentials`);
    expect(error.message).toContain(`docker login ${registry.host}`);
    expect(await inspectImage(docker, ref), 'the local image is removed on failure too').toBeNull();
    expect(await registryHasTag(ref)).toBe(false);
  });

  it('a damaged chunk fails the push as it is read: nothing reaches the registry, no image is left', async () => {
    // A copy of the source store whose chunk of sub/deep/blob (300 KB of random bytes) has one bit flipped.
    const damaged = newStore();
    cpSync(source.path, damaged, { recursive: true });
    const db = openDb(damaged);
    const chunk = db
      .prepare(
        'SELECT lower(hex(hash)) AS hash, pack_id AS packId, offset, stored_length AS length FROM chunks ORDER BY stored_length DESC LIMIT 1',
      )
      .get() as { hash: string; packId: string; offset: number; length: number };
    db.close();
    const packPath = path.join(damaged, 'chunks', 'packs', `${chunk.packId}.pack`);
    const pack = readFileSync(packPath);
    pack[chunk.offset + (chunk.length >> 1)]! ^= 0x01;
    writeFileSync(packPath, pack);

    const ref = refOf('damaged');
    const r = runCliSync(damaged, ['--json', 'push', 'before-push', ref], login());
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stderr) as { error: { kind: string; message: string } };
    expect(error.message).toContain(`Chunk ${chunk.hash} in pack ${chunk.packId} is damaged`);
    expect(await inspectImage(docker, ref), 'no local image is left').toBeNull();
    expect(await registryHasTag(ref)).toBe(false);
  });

  it('finds the credentials through a credential helper (credsStore), for push and pull', async () => {
    const ref = refOf('helper');
    const env = { DOCKER_CONFIG: registry.helperConfigDir, PATH: `${registry.helperBinDir}:${process.env.PATH}` };
    const before = registry.helperCalls().length;
    json(runCliSync(source.path, ['--json', 'push', 'before-push', ref], env));
    const pulled = json<{ snapshot: Snapshot }>(
      runCliSync(newStore(), ['--json', 'pull', ref, '--name', 'via-helper'], env),
    );
    expect(pulled.snapshot.name).toBe('via-helper');
    expect(registry.helperCalls().slice(before)).toEqual([registry.host, registry.host]);
    const missing = runCliSync(source.path, ['--json', 'push', 'before-push', ref], {
      DOCKER_CONFIG: registry.helperConfigDir,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('docker-credential-volsnaptest is not installed or not on PATH');
  });

  it('refuses an image whose snapshot.json lies about a file, and stores nothing', async () => {
    const ref = refOf('forged');
    await pushForged(ref, (doc) => {
      const file = doc.volumes[0]!.manifest.find((e) => e.path === 'sub/deep/blob')!;
      file.sha256 = '0'.repeat(64);
    });
    const target = newStore();
    const r = runCliSync(target, ['--json', 'pull', ref], login());
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('Integrity');
    expect(error.message).toMatch(/Refused to import: in volume .*sub\/deep\/blob does not match its sha256/);
    expect(json<Snapshot[]>(runCliSync(target, ['--json', 'list', '--all-engines']))).toEqual([]);
    expect(leftovers(target)).toEqual([]);
    expect(await inspectImage(docker, ref)).toBeNull();
    expect(await readerContainers()).toEqual([]);
  });

  it('pulls an image in the vackup/extension layout (/volume-data) as one volume named by --volume', async () => {
    const ref = refOf('vackup');
    const dir = tempDir('volsnap-vackup-');
    try {
      mkdirSync(path.join(dir.path, 'volume-data', 'conf'), { recursive: true });
      writeFileSync(path.join(dir.path, 'volume-data', 'conf', 'app.ini'), 'x=1\n');
      writeFileSync(path.join(dir.path, 'volume-data', 'db.bin'), Buffer.alloc(5000, 7));
      await pushTar(ref, createTar({ cwd: dir.path, portable: true }, ['volume-data']) as unknown as Readable);
    } finally {
      dir.remove();
    }
    const target = newStore();
    const withoutVolume = runCliSync(target, ['--json', 'pull', ref], login());
    expect(withoutVolume.code).toBe(1);
    expect(withoutVolume.stderr).toContain('--volume NAME');
    const pulled = json<{ snapshot: Snapshot }>(
      runCliSync(target, ['--json', 'pull', ref, '--volume', 'legacy-data', '--name', 'from-vackup'], login()),
    );
    expect(pulled.snapshot).toMatchObject({ name: 'from-vackup', trigger: 'pull', fileCount: 2, sizeBytes: 5004 });
    expect(pulled.snapshot.volumes.map((v) => v.volumeName)).toEqual(['legacy-data']);
    expect(await inspectImage(docker, ref)).toBeNull();
  });

  /** Imports a tar stream as an image and pushes it with the registry's credentials. */
  async function pushTar(ref: string, tar: Readable, writing: Promise<void> = Promise.resolve()): Promise<void> {
    try {
      await Promise.all([importImage(docker, { tar, tag: ref, labels: {} }), writing]);
      const auth = { serveraddress: registry.host, username: registry.username, password: registry.password };
      await pushImage(docker, { ref: parseImageReference(ref), auth, onProgress: () => undefined });
    } finally {
      await removeImage(docker, ref);
    }
  }

  /** Builds and pushes an image of the captured snapshot whose snapshot.json was changed by `lie`. */
  async function pushForged(ref: string, lie: (doc: BundleParts['doc']) => void): Promise<void> {
    const sourceDir = source.path;
    const db = openDb(sourceDir);
    try {
      const catalog = new Catalog(db);
      const { doc, streams } = await bundleParts(
        {
          catalog,
          storedVolumes: storedVolumeReader({ files: new ArchiveFiles(source.path) }),
          leases: new Leases(db),
        },
        catalog.get(captured.id)!,
      );
      lie(doc);
      const stored = catalog.storedVolumes(captured.id);
      const layered = streams.map((s, i) => ({ ...s, volume: stored[i]! }));
      const tar = new PassThrough();
      const files = new StreamFilesWorker({ dataDir: sourceDir, snapshotId: captured.id, volumes: stored });
      await pushTar(ref, tar, writeImageLayer({ files, doc, streams: layered, sink: tar, onBytes: () => undefined }));
    } finally {
      db.close();
    }
  }

  async function registryHasTag(ref: string): Promise<boolean> {
    const { repository, tag } = parseImageReference(ref);
    const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        Authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
        Accept: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    return response.status === 200;
  }

  async function readerContainers(): Promise<string[]> {
    const all = await docker.listContainers({ all: true, filters: { label: ['io.volsnap.helper'] } });
    // Only pull's readers: other tests' capture helpers carry the same label.
    return all.filter((c) => c.Command.includes('volsnap-never-started')).map((c) => c.Id);
  }
});

/** Files an import leaves in the data dir outside the catalog: temp areas and archive folders. */
function leftovers(dataDir: string): string[] {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).map((f) => path.join(dir, f)) : []);
  return [...list(path.join(dataDir, 'incoming')), ...list(path.join(dataDir, 'archives'))];
}
