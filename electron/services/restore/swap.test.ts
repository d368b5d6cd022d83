import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JournalVolume } from './journal';
import { runCleanupHolding, runSwap, runSwapAndCleanup, SwapRefused } from './swap';
import { HELPER_LABEL } from '../../docker/workloads';
import {
  describeEngine,
  execIn,
  helpersLeft,
  runScript,
  testDocker,
  uniqueName,
  volumeTree,
  type TreeEntry,
} from '../../../test/engine';

/**
 * The swap and clean-up scripts on real volumes: they never follow a link, refuse what this job's
 * journal does not explain (before moving anything, in any volume), and stay idempotent.
 */
describeEngine('the swap moves only what its journal explains', () => {
  const docker = testDocker();
  const name = uniqueName('vsswap');
  const [v1, v2] = [`${name}-1`, `${name}-2`];
  const job = 'jobforswaptest01';
  const volume = (target: string, position: number): JournalVolume => ({
    position,
    volumeName: target,
    target,
    archiveFile: `${position}.tar.zst`,
    sizeBytes: 0,
    root: { mode: 0o755, uid: 0, gid: 0 },
  });
  const volumes = [volume(v1, 0), volume(v2, 1)];
  const swap = (firstRun = false) =>
    runSwap(docker, { image: 'busybox:latest', jobId: job, volumes, renameLimit: 0, firstRun });
  const trees = () => Promise.all([volumeTree(docker, v1), volumeTree(docker, v2)]);
  const helpers = (all: boolean) => docker.listContainers({ all, filters: { label: [`${HELPER_LABEL}=${job}`] } });
  /** Whether the Engine removed this job's released helpers (they go as they exit) within 15 s. */
  const helpersGone = async () => (await helpersLeft(docker, (h) => h.Labels[HELPER_LABEL] === job)).length === 0;
  /** The delete alone (as recovery runs it after a commit), then the helper released, and gone. */
  const cleanup = async () => {
    const finish = await runCleanupHolding(docker, { image: 'busybox:latest', jobId: job, volumes });
    await finish.release();
    expect(await helpersGone(), 'released: the helper went').toBe(true);
  };
  /** Fresh volumes: old contents at the top, this job's stage holding the new ones, then `extra`. */
  const seed = (extra = '') =>
    runScript(
      docker,
      [`${v1}:/v1`, `${v2}:/v2`],
      `for v in /v1 /v2; do rm -rf $v/* $v/.[!.]* $v/..?*; echo old > $v/old; mkdir $v/.volsnap-stage-${job};
         echo new > $v/.volsnap-stage-${job}/new; done; ${extra}`,
    );

  beforeAll(async () => {
    await docker.createVolume({ Name: v1 });
    await docker.createVolume({ Name: v2 });
  });
  afterAll(async () => {
    for (const v of [v1, v2]) await docker.getVolume(v).remove({ force: true });
  });

  async function expectRefused(kind: string, message: RegExp, before: TreeEntry[][], firstRun = false): Promise<void> {
    const refused = await swap(firstRun).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SwapRefused);
    expect(refused).toMatchObject({ kind, message });
    expect(await trees(), 'nothing moved in any volume').toEqual(before);
  }

  it('swaps, and a re-run after the swap (or after the clean-up) changes nothing', async () => {
    await seed();
    await swap();
    const swapped = await trees();
    expect(swapped[0].map((e) => e.path)).toEqual([`.volsnap-aside-${job}`, `.volsnap-aside-${job}/old`, 'new']);
    await swap();
    expect(await trees()).toEqual(swapped);
    await cleanup();
    const clean = await trees();
    expect(clean[0].map((e) => e.path)).toEqual(['new']);
    await swap();
    expect(await trees()).toEqual(clean);
  });

  it('before the start, swaps and drops the old names in one helper that holds their blocks until released', async () => {
    // 1,200 more old files in one volume: three of the pinning shells' batches of 500.
    await seed('i=0; while [ $i -lt 1200 ]; do echo $i > /v1/f$i; i=$((i + 1)); done');
    const swapped: number[] = [];
    const finish = await runSwapAndCleanup(docker, {
      image: 'busybox:latest',
      jobId: job,
      volumes,
      renameLimit: 0,
      firstRun: true,
      swap: true,
      onSwapped: (windowMs) => swapped.push(windowMs),
    });
    try {
      expect(swapped, 'the swap was reported once, before the delete ended').toHaveLength(1);
      const [one, two] = await trees();
      expect(one.map((e) => e.path)).toEqual(['new']);
      expect(two.map((e) => e.path)).toEqual(['new']);
      // The helper still runs, holding every deleted old file open: `old` and f0…f1199, `old` in v2.
      const [helper] = await helpers(false);
      expect(helper?.State).toBe('running');
      const held = await execIn(docker, helper!.Id, "ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c '(deleted)'");
      expect(Number(held)).toBe(1202);
    } finally {
      await finish.release();
    }
    // Released, it ends by itself and the Engine removes it: the release did not wait for that.
    expect(await helpersGone(), 'released: the helper went').toBe(true);
  });

  it('refuses a stage that is a symlink to another volume, before moving anything in either', async () => {
    await seed(`rm -rf /v1/.volsnap-stage-${job}; ln -s /volsnap/${v2} /v1/.volsnap-stage-${job}`);
    const before = await trees();
    await expectRefused('Integrity', new RegExp(`In volume ${v1}, .volsnap-stage-${job} is a link or a file`), before);
  });

  it('refuses a stage that is a regular file', async () => {
    await seed(`rm -rf /v2/.volsnap-stage-${job}; echo x > /v2/.volsnap-stage-${job}`);
    const before = await trees();
    await expectRefused('Integrity', new RegExp(`In volume ${v2}, .volsnap-stage-${job} is a link or a file`), before);
  });

  it("refuses another job's folder at the root, naming the volume and that job", async () => {
    await seed('mkdir /v2/.volsnap-aside-otherjob0000001; echo theirs > /v2/.volsnap-aside-otherjob0000001/old');
    const before = await trees();
    await expectRefused(
      'Conflict',
      new RegExp(`Volume ${v2} holds .volsnap-aside-otherjob0000001.*job otherjob0000001`),
      before,
    );
  });

  it('on its first run, refuses a volume without its stage (replaced meanwhile), before moving anything', async () => {
    await seed(`rm -rf /v2/.volsnap-stage-${job}`);
    const before = await trees();
    await expectRefused(
      'Conflict',
      new RegExp(`Volume ${v2} no longer holds this restore's staged copy`),
      before,
      true,
    );
  });

  it('cleans up a link under its own name by unlinking it, never what it points to', async () => {
    await seed(
      `rm -rf /v1/.volsnap-stage-${job}; ln -s /volsnap/${v2} /v1/.volsnap-stage-${job}; rm -rf /v2/.volsnap-stage-${job}`,
    );
    await cleanup();
    const [one, two] = await trees();
    expect(one.map((e) => e.path)).toEqual(['old']);
    expect(two.map((e) => e.path)).toEqual(['old']);
  });
});
