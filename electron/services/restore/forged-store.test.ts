import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { forgeVolume, type ForgedEntry, type Forgery } from './forge.test-util';
import { createRestoreFixture, type RestoreFixture } from './restore-fixture.test-util';
import { describeEngine, testDocker } from '../../../test/engine';

/**
 * A local process (or, later, an import) can hand restore an archive, checksum and manifest that
 * agree with each other. Whatever they say, restore touches only the volume it restores, and a
 * forged snapshot is refused before the workload is stopped: no downtime, no safety snapshot.
 */
describeEngine('a forged store cannot touch anything but its own volume', () => {
  let f: RestoreFixture;
  let forgery: Forgery | null = null;

  beforeAll(async () => {
    f = await createRestoreFixture(testDocker());
  });
  afterEach(() => {
    forgery?.undo();
    forgery = null;
  });
  afterAll(async () => {
    await f?.remove();
  });

  const [a, b] = [() => f.volumes[0]!, () => f.volumes[1]!];
  const positionOf = (volume: string) =>
    f.services.catalog.storedVolumes(f.snapshot.id).find((v) => v.volumeName === volume)!.position;
  const forge = (entries: ForgedEntry[], manifest?: Parameters<typeof forgeVolume>[1]['manifest']) => {
    forgery = forgeVolume(f.services, { snapshotId: f.snapshot.id, position: positionOf(a()), entries, manifest });
  };
  const startedAt = () =>
    Promise.all(f.workload.containers.map(async (c) => (await f.docker.getContainer(c).inspect()).State.StartedAt));
  const safetySnapshots = () => f.services.catalog.list().filter((s) => s.trigger === 'pre-restore').length;
  const restore = (safetySnapshot = true) =>
    f.services.restore.start({ snapshot: f.snapshot.id, confirm: f.snapshot.name, safetySnapshot });

  /** Refused with Integrity before the stop: containers never stopped, volumes and policies as they were. */
  async function expectRefusedBeforeStop(reason: RegExp): Promise<void> {
    const before = { started: await startedAt(), safety: safetySnapshots() };
    await expect(restore()).rejects.toMatchObject({ kind: 'Integrity', message: reason });
    expect(await startedAt(), 'no container was stopped').toEqual(before.started);
    expect(safetySnapshots(), 'no safety snapshot was taken').toBe(before.safety);
    await expectUntouchedAndUnblocked();
  }

  async function expectUntouchedAndUnblocked(): Promise<void> {
    expect(await f.trees()).toEqual(f.oldTrees);
    expect(await f.assertSettled()).toEqual([]);
    expect(f.services.db.prepare(`SELECT COUNT(*) AS n FROM restore_journal WHERE outcome IS NULL`).get()).toEqual({
      n: 0,
    });
    const plan = await f.services.restore.preview(f.snapshot.id);
    expect(
      plan.blockers.filter((m) => !/cannot be restored/.test(m)),
      'nothing blocks the workload',
    ).toEqual([]);
  }

  it('refuses a volume root that is a symlink to / (the helper root filesystem stays out)', async () => {
    forge([{ path: '.', type: 'SymbolicLink', linkpath: '/' }]);
    await expectRefusedBeforeStop(/volume root \(\.\) is a symlink, not a directory/);
  });

  it('refuses a volume root that is a symlink to the live mount, and overwrites nothing in it', async () => {
    forge([
      { path: '.', type: 'SymbolicLink', linkpath: `/volsnap/${a()}` },
      { path: 'one', type: 'File', body: 'forged\n' },
      { path: 'refused', type: 'File', body: 'x' },
    ]);
    await expectRefusedBeforeStop(/volume root \(\.\) is a symlink/);
  });

  it('refuses a volume root that is a symlink to another volume of the workload', async () => {
    forge([
      { path: '.', type: 'SymbolicLink', linkpath: `/volsnap/${b()}` },
      { path: 'data', type: 'File', body: 'forged\n' },
    ]);
    await expectRefusedBeforeStop(/volume root \(\.\) is a symlink/);
  });

  it('refuses a volume root that is a regular file', async () => {
    forge([{ path: '.', type: 'File', body: 'not a directory' }]);
    await expectRefusedBeforeStop(/volume root \(\.\) is a file, not a directory/);
  });

  it('refuses an entry beneath a link in the manifest before the stop', async () => {
    forge([
      { path: '.', type: 'Directory' },
      { path: 'l', type: 'SymbolicLink', linkpath: `/volsnap/${b()}` },
      { path: 'l/data', type: 'File', body: 'forged\n' },
    ]);
    await expectRefusedBeforeStop(/l\/data lies under l, which is a symlink/);
  });

  it('refuses, before the stop, an archive whose root differs from an honest-looking manifest', async () => {
    // The manifest says "directory"; the archive (whose checksum matches) says "symlink to b".
    forge(
      [
        { path: '.', type: 'SymbolicLink', linkpath: `/volsnap/${b()}` },
        { path: 'data', type: 'File', body: 'forged\n' },
      ],
      (rows) => rows.map((r) => (r.path === '.' ? { ...r, type: 'dir', linkTarget: null, mode: 0o755 } : r)),
    );
    await expectRefusedBeforeStop(/volume root \(\.\) is a symlink/);
  });

  it('still refuses such an archive while staging, before any swap', async () => {
    forge(
      [
        { path: '.', type: 'SymbolicLink', linkpath: `/volsnap/${b()}` },
        { path: 'data', type: 'File', body: 'forged\n' },
      ],
      (rows) => rows.map((r) => (r.path === '.' ? { ...r, type: 'dir', linkTarget: null, mode: 0o755 } : r)),
    );
    // Without a safety snapshot the archive is checked as it is staged (the workload still runs).
    const handle = await restore(false);
    await expect(handle.done).rejects.toMatchObject({ kind: 'Integrity', message: /volume root \(\.\) is a symlink/ });
    await expectUntouchedAndUnblocked();
  });

  it('refuses special files of a snapshot marked refused, before the stop', async () => {
    forge([
      { path: '.', type: 'Directory' },
      { path: 'pipe', type: 'FIFO' },
    ]);
    f.services.catalog.setSpecialFiles(f.snapshot.id, 'refused');
    try {
      expect(f.services.catalog.get(f.snapshot.id)?.specialFiles).toBe('refused');
      await expectRefusedBeforeStop(/"pipe" is a device node or FIFO, and this snapshot does not allow special files/);
    } finally {
      f.services.catalog.setSpecialFiles(f.snapshot.id, 'allowed');
    }
  });
});
