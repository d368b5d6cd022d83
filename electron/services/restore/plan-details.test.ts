import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateDowntime, imageChanges, lastRestore, planDetails } from './plan-details';
import type { DiscoveredContainer, DiscoveredWorkload } from '../../docker/workloads';
import { describeEngine, testDocker, uniqueName } from '../../../test/engine';
import type { Job, JobResultOf, Snapshot } from '../../../shared/types';

const snapshot = {
  id: 'snap1',
  name: 'before-upgrade',
  workloadId: 'compose:shop',
  workloadName: 'shop',
  createdAt: '2026-01-01T10:00:00.000Z',
  sizeBytes: 100_000_000,
  provenance: {
    engineVersion: '27',
    engineHost: 'test',
    containers: [
      {
        name: 'shop-db-1',
        service: 'db',
        image: 'postgres:15',
        imageId: 'sha256:aaa',
        imageDigest: null,
        state: 'running',
      },
      {
        name: 'shop-web-1',
        service: 'web',
        image: 'nginx',
        imageId: 'sha256:bbb',
        imageDigest: null,
        state: 'running',
      },
    ],
    mounts: [],
  },
} as unknown as Snapshot;

function container(name: string, service: string, image: string, imageId: string): DiscoveredContainer {
  return { id: name, name, service, state: 'running', image, imageId } as DiscoveredContainer;
}

function job(fields: Partial<Job>): Job {
  return {
    id: Math.random().toString(16).slice(2),
    kind: 'restore',
    workloadId: 'compose:shop',
    snapshotId: null,
    status: 'succeeded',
    phase: 'starting-containers',
    startedAt: '2026-01-01T11:00:00.000Z',
    finishedAt: '2026-01-01T11:00:30.000Z',
    error: null,
    progress: null,
    result: null,
    ...fields,
  } as Job;
}

function restored(downtimeMs: number, safetySnapshotId: string | null = null): JobResultOf<'restore'> {
  const timings = { downtimeMs, swapWindowMs: 0, deleteMs: 0 };
  return { kind: 'restore', snapshotId: 'snap1', safetySnapshotId, ...timings, containersGone: [] };
}

describe('plan details', () => {
  it('warns about a container whose image changed since the capture (matched by service)', () => {
    const workload = {
      containers: [
        container('shop-db-1', 'db', 'postgres:16', 'sha256:ccc'),
        container('shop-web-1', 'web', 'nginx', 'sha256:bbb'),
      ],
    } as DiscoveredWorkload;
    expect(imageChanges(snapshot, workload)).toEqual([
      { container: 'shop-db-1', capturedImage: 'postgres:15 (aaa)', currentImage: 'postgres:16 (ccc)' },
    ]);
  });

  it('takes the downtime of the newest successful restore of the same workload', () => {
    const jobs = [
      job({ status: 'failed', result: null }),
      job({ workloadId: 'compose:other', result: restored(99) }),
      job({ result: restored(4_200, 'x'), finishedAt: '2026-01-02T00:00:00.000Z' }),
      job({ result: restored(9_000) }),
    ];
    expect(lastRestore(jobs, 'compose:shop')).toEqual({
      downtimeMs: 4_200,
      finishedAt: '2026-01-02T00:00:00.000Z',
      safetySnapshot: true,
    });
    expect(lastRestore([], 'compose:shop')).toBeNull();
  });

  it('estimates from the capture of the snapshot: a safety snapshot costs about twice its capture time', () => {
    const capture = job({
      kind: 'capture',
      snapshotId: 'snap1',
      startedAt: '2026-01-01T10:00:00.000Z',
      finishedAt: '2026-01-01T10:00:05.000Z',
    });
    const estimate = estimateDowntime([capture], snapshot, 1);
    expect(estimate.withSafetySnapshot - estimate.withoutSafetySnapshot).toBe(10_000);
    expect(estimate.withoutSafetySnapshot).toBeGreaterThan(0);
  });
});

describeEngine('plan details on a real engine', () => {
  const docker = testDocker();
  const name = uniqueName('stoptimeout');
  beforeAll(async () => {
    const c = await docker.createContainer({
      name,
      Image: 'busybox:latest',
      Cmd: ['sleep', '1000000'],
      StopTimeout: 3,
      HostConfig: { NetworkMode: 'none' },
      Labels: { 'io.volsnap.test': '1' },
    });
    await c.start();
  });
  afterAll(async () => {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('reads each running container\'s stop timeout (for "Stopping db (up to 3 s)")', async () => {
    const info = await docker.getContainer(name).inspect();
    const workload = {
      containers: [{ ...container(name, null as never, 'busybox:latest', info.Image), id: info.Id, service: null }],
    } as unknown as DiscoveredWorkload;
    const details = await planDetails({ docker }, { ...snapshot, provenance: null }, workload);
    expect(details.stopTimeouts).toEqual([{ container: name, seconds: 3 }]);
    expect(details.imageChanges).toEqual([]);
    expect(details.snapshotCreatedAt).toBe(snapshot.createdAt);
  });
});
