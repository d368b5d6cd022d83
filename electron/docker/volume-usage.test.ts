import { afterAll, beforeAll, expect, it } from 'vitest';
import { volumeUsage } from './volume-usage';
import { createServices, type Services } from '../services';
import {
  createWorkload,
  describeEngine,
  runScript,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../test/engine';
import type { JobProgress } from '../../shared/types';

const MB = 1024 * 1024;

describeEngine('capture progress estimated from the live volume', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  let w: TestWorkload;

  beforeAll(async () => {
    services = createServices({ dataDir: data.path, docker });
    const vol = uniqueName('usagevol');
    w = await createWorkload(docker, {
      services: [{ name: uniqueName('usageapp'), volumes: [{ volume: vol, destination: '/data' }] }],
      seed: `echo small > /seed/${vol}/small.txt`,
    });
  });
  afterAll(async () => {
    services.close();
    await w.remove();
    data.remove();
  });

  it('reads what the volumes use now; null for a volume that does not exist', async () => {
    await runScript(docker, [`${w.volumes[0]}:/v`], 'dd if=/dev/urandom of=/v/one bs=64k count=16 2>/dev/null');
    expect(await volumeUsage(docker, [w.volumes[0]!])).toBeGreaterThanOrEqual(MB);
    expect(await volumeUsage(docker, [w.volumes[0]!, uniqueName('novol')])).toBeNull();
  });

  it('a volume that grew since the last snapshot: the total is what is there now, never below the bytes done', async () => {
    await (
      await services.capture.start({ workload: w.id, mode: 'live', name: 'small-one' })
    ).done;
    await runScript(docker, [`${w.volumes[0]}:/v`], 'dd if=/dev/urandom of=/v/big bs=64k count=64 2>/dev/null');
    const seen: JobProgress[] = [];
    const stop = services.jobs.progressEvents.on((p) => seen.push(p));
    try {
      await (
        await services.capture.start({ workload: w.id, mode: 'live', name: 'grown' })
      ).done;
    } finally {
      stop();
    }
    const counted = seen.filter((p) => p.bytesTotal !== null && p.bytesDone > 0);
    expect(counted.length).toBeGreaterThan(0);
    // Before: the total came from "small-one" (a few KB) while 5 MB streamed ("5 MB of 9 KB").
    for (const p of counted) expect(p.bytesTotal!).toBeGreaterThanOrEqual(5 * MB);
  });
});
