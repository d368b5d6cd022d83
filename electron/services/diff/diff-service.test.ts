import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServices, type Services } from '..';
import {
  containerState,
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';
import type { DiffResult, VolumeDiff } from '../../../shared/diff-types';
import { VolsnapError } from '../../../shared/errors';
import type { JobProgress, Snapshot } from '../../../shared/types';

/** What a user reads off a volume's diff: paths per list, and what changed for each modified one. */
function view(volume: VolumeDiff | undefined) {
  return {
    presence: volume?.presence,
    added: volume?.added.map((e) => e.path),
    removed: volume?.removed.map((e) => e.path),
    modified: volume?.modified.map((m) => `${m.path}: ${m.changes.join(',')}`),
  };
}

function byVolume(result: DiffResult, name: string): VolumeDiff | undefined {
  return result.volumes.find((v) => v.volumeName === name);
}

async function rejection(promise: Promise<unknown>): Promise<VolsnapError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VolsnapError);
  return error as VolsnapError;
}

const EXPECTED_FORWARD = {
  presence: 'both',
  added: ['dir/new', 'dir/new/deeper', 'dir/new/deeper/file.txt', 'new.txt'],
  removed: ['gone.txt'],
  modified: ['chmod.txt: mode', 'chown.txt: owner', 'edit.txt: content,size', 'link-me.txt: type'],
};
const UNCHANGED = { presence: 'both', added: [], removed: [], modified: [] };

describeEngine('diff', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  const workloads: TestWorkload[] = [];
  const project = uniqueName('difftest');
  const [main, site, cache] = [uniqueName('main'), uniqueName('site'), uniqueName('cache')];
  let app: TestWorkload;
  let a: Snapshot;
  let b: Snapshot;

  beforeAll(async () => {
    services = createServices({ dataDir: data.path, docker });
    app = await createWorkload(docker, {
      project,
      services: [
        { name: 'db', volumes: [{ volume: main, destination: '/var/lib/data' }] },
        // `cache` is mounted inside `site`: reading /srv through this container would mix them.
        {
          name: 'web',
          volumes: [
            { volume: site, destination: '/srv' },
            { volume: cache, destination: '/srv/cache' },
          ],
        },
      ],
      seed: `cd /seed/${main} && printf 'one\\ntwo\\n' > edit.txt && for f in keep chmod chown link-me gone; do echo $f > $f.txt; done &&
        mkdir dir && ln -s /etc etclink && head -c 3000 /dev/urandom > blob.bin &&
        echo index > /seed/${site}/index.html && echo hot > /seed/${cache}/hot`,
    });
    workloads.push(app);
    a = await (await services.capture.start({ workload: app.id, mode: 'live', name: uniqueName('a') })).done;
    await runScript(
      docker,
      [`${main}:/v`],
      `cd /v && printf 'one\\nthree\\n' > edit.txt && chmod 600 chmod.txt && chown 1000:1000 chown.txt &&
       rm link-me.txt && ln -s keep.txt link-me.txt && rm gone.txt && mkdir -p dir/new/deeper &&
       echo deep > dir/new/deeper/file.txt && echo new > new.txt`,
    );
    b = await (await services.capture.start({ workload: app.id, mode: 'live', name: uniqueName('b') })).done;
  });
  afterAll(async () => {
    for (const w of workloads) await w.remove();
    services.close();
    data.remove();
  });

  it('against current reports exactly the changes made, as a job with progress', async () => {
    const progress: JobProgress[] = [];
    const stop = services.jobs.progressEvents.on((p) => progress.push(p));
    const result = await services.diff.diff({ snapshot: a.name });
    stop();
    expect(result.against).toBe('current');
    expect(view(byVolume(result, main))).toEqual(EXPECTED_FORWARD);
    expect(view(byVolume(result, site))).toEqual(UNCHANGED);
    expect(view(byVolume(result, cache))).toEqual(UNCHANGED);
    expect(result.summary).toMatchObject({ added: 4, removed: 1, modified: 4 });
    const edit = byVolume(result, main)!.modified.find((m) => m.path === 'edit.txt')!;
    expect([edit.before.size, edit.after.size]).toEqual([8, 10]);
    expect(progress.some((p) => p.phase === 'reading' && p.volume === main)).toBe(true);
    expect(services.jobs.recent(5).find((j) => j.kind === 'diff')?.status).toBe('succeeded');
  });

  it('between snapshots agrees with the diff against current, in both directions', async () => {
    const forward = await services.diff.diff({ snapshot: a.name, against: b.name });
    expect(view(byVolume(forward, main))).toEqual(EXPECTED_FORWARD);
    const backward = await services.diff.diff({ snapshot: b.id, against: a.id });
    expect(view(byVolume(backward, main))).toEqual({
      presence: 'both',
      added: EXPECTED_FORWARD.removed,
      removed: EXPECTED_FORWARD.added,
      modified: EXPECTED_FORWARD.modified,
    });
    const live = await services.diff.diff({ snapshot: b.name, against: 'current' });
    const stored = await services.diff.diff({ snapshot: b.name, against: b.name });
    for (const volume of [main, site, cache]) {
      expect(view(byVolume(live, volume))).toEqual(UNCHANGED);
      expect(view(byVolume(stored, volume))).toEqual(UNCHANGED);
    }
  });

  it('reads in pause mode and leaves the containers running; a live read ignores the lease', async () => {
    const lease = services.leases.acquire(app.id, { id: 'feedfacefeedface', kind: 'capture' });
    try {
      const live = await services.diff.diff({ snapshot: b.name, mode: 'live' });
      expect(live.summary.added + live.summary.removed + live.summary.modified).toBe(0);
      expect((await rejection(services.diff.diff({ snapshot: b.name, mode: 'pause' }))).kind).toBe('Conflict');
    } finally {
      lease.release();
    }
    const paused = await services.diff.diff({ snapshot: a.name, mode: 'pause' });
    expect(view(byVolume(paused, main))).toEqual(EXPECTED_FORWARD);
    for (const c of app.containers) expect((await containerState(docker, c)).status).toBe('running');
  });

  it('can be cancelled, and a cancelled pause diff leaves the workload running', async () => {
    const handle = await services.diff.start({ snapshot: a.name, mode: 'pause' });
    services.jobs.cancel(handle.jobId!);
    expect((await rejection(handle.done)).kind).toBe('Cancelled');
    expect(services.jobs.recent(5).find((j) => j.id === handle.jobId)?.status).toBe('cancelled');
    for (const c of app.containers) expect((await containerState(docker, c)).status).toBe('running');
    const helpers = await docker.listContainers({
      all: true,
      filters: { label: [`io.volsnap.helper=${handle.jobId}`] },
    });
    expect(helpers).toEqual([]);
  });

  it('shows a unified diff of a text file, from the archive and from the live volume', async () => {
    for (const against of ['current', b.name]) {
      const diff = await services.diff.fileDiff({ snapshot: a.name, against, volume: main, path: '/edit.txt' });
      expect(diff.kind, against).toBe('text');
      expect(diff.kind === 'text' && diff.unified).toContain('-two\n+three');
    }
    const added = await services.diff.fileDiff({ snapshot: a.name, volume: main, path: 'dir/new/deeper/file.txt' });
    expect(added.kind === 'text' && added.unified).toContain('+deep');
    const same = await services.diff.fileDiff({ snapshot: a.name, volume: main, path: 'keep.txt' });
    expect(same.kind).toBe('same');
    const nested = await services.diff.fileDiff({ snapshot: a.name, volume: site, path: 'index.html' });
    expect(nested.kind).toBe('same');
  });

  it('says binary with sizes and hashes for binary files and a file replaced by a symlink', async () => {
    const link = await services.diff.fileDiff({ snapshot: a.name, volume: main, path: 'link-me.txt' });
    expect(link).toMatchObject({ kind: 'binary', before: { size: 8 }, after: { size: 0, sha256: null } });
    await runScript(docker, [`${main}:/v`], 'head -c 3000 /dev/urandom > /v/blob.bin');
    const blob = await services.diff.fileDiff({ snapshot: b.name, volume: main, path: 'blob.bin' });
    expect(blob).toMatchObject({ kind: 'binary', before: { size: 3000 }, after: { size: 3000 } });
    expect(blob.kind === 'binary' && blob.before!.sha256).not.toBe(blob.kind === 'binary' && blob.after!.sha256);
  });

  it('refuses bad file requests with clear errors', async () => {
    const missing = await rejection(services.diff.fileDiff({ snapshot: a.name, volume: main, path: 'nope.txt' }));
    expect(missing.kind).toBe('NotFound');
    expect(missing.message).toContain('neither in snapshot');
    // A path through a symlink to /etc would read the container's files: it is not in the volume.
    const escape = services.diff.fileDiff({ snapshot: a.name, volume: main, path: 'etclink/passwd' });
    expect((await rejection(escape)).kind).toBe('NotFound');
    const dotdot = services.diff.fileDiff({ snapshot: a.name, volume: main, path: '../etc/passwd' });
    expect((await rejection(dotdot)).kind).toBe('InvalidInput');
    const dir = services.diff.fileDiff({ snapshot: a.name, volume: main, path: 'dir' });
    expect((await rejection(dir)).kind).toBe('InvalidInput');
    const volume = services.diff.fileDiff({ snapshot: a.name, volume: 'nosuchvolume', path: 'edit.txt' });
    expect((await rejection(volume)).kind).toBe('NotFound');
  });

  it('refuses unknown and failed snapshots and snapshots of different workloads', async () => {
    expect((await rejection(services.diff.diff({ snapshot: 'no-such-snapshot' }))).kind).toBe('NotFound');
    services.catalog.insertCapturing({
      id: 'badc0ffee0ddf00d',
      name: uniqueName('failed'),
      note: '',
      workloadId: a.workloadId,
      workloadName: a.workloadName,
      createdAt: new Date().toISOString(),
      trigger: 'cli',
      mode: 'live',
      expiresAt: null,
      provenance: a.provenance!,
    });
    services.catalog.markFailed('badc0ffee0ddf00d', 'disk full');
    const failed = await rejection(services.diff.diff({ snapshot: 'badc0ffee0ddf00d', against: a.id }));
    expect([failed.kind, failed.message]).toEqual(['InvalidInput', expect.stringContaining('disk full')]);

    const other = await createWorkload(docker, {
      services: [{ name: uniqueName('solo'), volumes: [{ volume: uniqueName('solo'), destination: '/d' }] }],
    });
    workloads.push(other);
    const c = await (await services.capture.start({ workload: other.id, mode: 'live' })).done;
    const mixed = await rejection(services.diff.diff({ snapshot: a.id, against: c.id }));
    expect([mixed.kind, mixed.message]).toEqual([
      'InvalidInput',
      expect.stringContaining('cannot diff snapshots of different workloads'),
    ]);
    await other.remove();
    const gone = await rejection(services.diff.diff({ snapshot: c.id }));
    expect([gone.kind, gone.message]).toEqual(['NotFound', expect.stringContaining('no longer exist')]);
  });

  it("diffs a removed container's snapshot against its volume, which is still there", async () => {
    const kept = uniqueName('kept');
    const solo = await createWorkload(docker, {
      services: [{ name: uniqueName('solo'), volumes: [{ volume: kept, destination: '/d' }] }],
      seed: `echo one > /seed/${kept}/a.txt`,
    });
    workloads.push(solo);
    const snapshot = await (await services.capture.start({ workload: solo.id, mode: 'live' })).done;
    for (const id of solo.containers) await docker.getContainer(id).remove({ force: true });
    await runScript(docker, [`${kept}:/v`], 'echo two > /v/b.txt');
    const result = await services.diff.diff({ snapshot: snapshot.id });
    expect(view(byVolume(result, kept))).toEqual({ presence: 'both', added: ['b.txt'], removed: [], modified: [] });
  });

  it('reports a volume that is no longer mounted as before-only', async () => {
    await docker.getContainer(app.containers[1]!).remove({ force: true });
    const result = await services.diff.diff({ snapshot: b.name });
    expect(view(byVolume(result, site))).toEqual({
      presence: 'before-only',
      added: [],
      removed: ['cache', 'index.html'],
      modified: [],
    });
    expect(byVolume(result, cache)?.presence).toBe('before-only');
    const file = await services.diff.fileDiff({ snapshot: b.name, volume: site, path: 'index.html' });
    expect(file.kind === 'text' && file.unified).toContain('-index');
  });

  it('says the engine is unavailable when it cannot be reached', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///tmp/volsnap-no-such-engine.sock';
    const offline = createServices({ dataDir: data.path });
    process.env.DOCKER_HOST = saved;
    try {
      expect((await rejection(offline.diff.diff({ snapshot: a.name }))).kind).toBe('EngineUnavailable');
      // Between snapshots only the catalog is read: no engine needed.
      const stored = await offline.diff.diff({ snapshot: a.name, against: b.name });
      expect(view(byVolume(stored, main))).toEqual(EXPECTED_FORWARD);
    } finally {
      offline.close();
    }
  });
});
