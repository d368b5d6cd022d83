import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TrayController } from './tray-controller';
import type { TrayState } from './tray-menu';
import type { TrayNotification } from './tray-notifications';
import { createServices, type Services } from '../services';
import { VolsnapError } from '../../shared/errors';
import { createWorkload, describeEngine, tempDir, testDocker, uniqueName, type TestWorkload } from '../../test/engine';

describeEngine('tray controller', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  let workload: TestWorkload;
  const notices: TrayNotification[] = [];
  const drawn: TrayState[] = [];
  let tray: TrayController;

  beforeAll(async () => {
    services = createServices({ dataDir: data.path, docker });
    const volume = uniqueName('tray-data');
    workload = await createWorkload(docker, {
      project: uniqueName('tray'),
      services: [{ name: 'app', volumes: [{ volume, destination: '/data' }] }],
      seed: `echo hello > /seed/${volume}/greeting.txt`,
    });
    tray = new TrayController({
      services,
      engineName: () => 'private',
      render: (s) => drawn.push(s),
      notify: (n) => notices.push(n),
    });
  });

  afterAll(async () => {
    tray.dispose();
    services.close();
    await workload.remove();
    data.remove();
  });

  it('shows the engine up and the workload', async () => {
    await tray.refresh();
    expect(tray.state.engine).toEqual({ ok: true });
    expect(tray.state.engineName).toBe('private');
    expect(tray.state.workloads.map((w) => w.id)).toContain(workload.id);
  });

  it('captures with trigger tray, notifies name, size and duration, and lists the snapshot', async () => {
    notices.length = 0;
    drawn.length = 0;
    await tray.capture(workload.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.title, notices[0]!.body).toBe(`Snapshot of ${workload.name} saved`);
    expect(notices[0]!.body).toMatch(/^\S+ · 6 B \(.+ stored\) · \d+(\.\d)? m?s$/);
    const [snapshot] = services.snapshots.list(workload.id);
    expect(snapshot).toMatchObject({ trigger: 'tray', status: 'ready' });
    expect(notices[0]!.snapshotId).toBe(snapshot!.id);
    expect(drawn.some((s) => s.activity.kind === 'busy')).toBe(true);
    await tray.refresh();
    expect(tray.state.activity.kind).toBe('idle');
    expect(tray.state.snapshots[0]?.id).toBe(snapshot!.id);
  });

  it("lists only the current engine's snapshots (and those from before engines were recorded)", async () => {
    const [snapshot] = services.snapshots.list(workload.id);
    // As if it had been captured on another engine: the tray follows the engine, as the app's lists do.
    services.db.prepare(`UPDATE snapshots SET engine_id = 'another-engine' WHERE id = ?`).run(snapshot!.id);
    try {
      await tray.refresh();
      expect(tray.state.snapshots.map((s) => s.id)).not.toContain(snapshot!.id);
    } finally {
      services.db.prepare(`UPDATE snapshots SET engine_id = NULL WHERE id = ?`).run(snapshot!.id);
    }
    await tray.refresh();
    expect(tray.state.snapshots.map((s) => s.id)).toContain(snapshot!.id);
  });

  it('starts nothing and notifies Conflict while a restore of the workload runs', async () => {
    notices.length = 0;
    const lease = services.leases.acquire(workload.id, { id: 'feedfacefeedface', kind: 'restore' });
    try {
      await tray.capture(workload.id);
    } finally {
      lease.release();
    }
    expect(notices).toHaveLength(1);
    expect(notices[0]!.title).toBe(`Capture of ${workload.name} not started`);
    expect(notices[0]!.body).toMatch(/restore of .* is already running/);
    expect(services.snapshots.list(workload.id)).toHaveLength(1);
  });

  it('shows a failed job on the icon until the next job runs', async () => {
    const failing = services.jobs.start({ kind: 'capture', workloadId: workload.id }, async () => {
      throw new VolsnapError('Integrity', 'No space left on the data disk.');
    });
    await expect(failing.done).rejects.toThrow('No space left');
    expect(tray.state.activity).toEqual({
      kind: 'failed',
      text: `Capture of ${workload.name} failed: No space left on the data disk.`,
    });
    const next = services.jobs.start({ kind: 'capture', workloadId: workload.id }, async () => 'ok');
    expect(tray.state.activity.kind).toBe('busy');
    await next.done;
    expect(tray.state.activity.kind).toBe('idle');
  });

  it('keeps the workloads, disabled with the reason, when the engine goes away', async () => {
    const down = createServices({ dataDir: data.path, docker: new Docker({ socketPath: '/nonexistent/docker.sock' }) });
    const offline = new TrayController({
      services: down,
      engineName: () => 'gone',
      render: () => undefined,
      notify: () => undefined,
    });
    try {
      await offline.refresh();
      expect(offline.state.engine.ok).toBe(false);
      expect(offline.state.engine.ok === false && offline.state.engine.message).toMatch(/engine/i);
      expect(offline.state.snapshots).toHaveLength(1);
    } finally {
      offline.dispose();
      down.close();
    }
  });

  it('follows the services of the engine the app switched to, and names it', async () => {
    let name = 'private';
    const drawnHere: TrayState[] = [];
    const follower = new TrayController({
      services,
      engineName: () => name,
      render: (s) => drawnHere.push(s),
      notify: () => undefined,
    });
    const down = createServices({ dataDir: data.path, docker: new Docker({ socketPath: '/nonexistent/docker.sock' }) });
    try {
      await follower.refresh();
      expect(follower.state).toMatchObject({ engine: { ok: true }, engineName: 'private' });
      name = 'elsewhere';
      follower.useServices(down);
      // The old engine's workloads are gone at once: a capture from them would go to the new engine.
      expect(follower.state.workloads).toEqual([]);
      await follower.refresh();
      expect(follower.state).toMatchObject({ engine: { ok: false }, engineName: 'elsewhere' });
      // Jobs of the old services no longer move the icon; the new ones' do.
      const old = services.jobs.start({ kind: 'capture', workloadId: workload.id }, async () => 'ok');
      await old.done;
      expect(drawnHere.some((s) => s.activity.kind === 'busy')).toBe(false);
    } finally {
      follower.dispose();
      down.close();
    }
  });
});

describeEngine('tray controller and schedules', () => {
  const docker = testDocker();
  const data = tempDir();
  let services: Services;
  let workload: TestWorkload;

  beforeAll(async () => {
    services = createServices({ dataDir: data.path, docker });
    const volume = uniqueName('tray-sched-data');
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('tray-sched'), volumes: [{ volume, destination: '/data' }] }],
    });
  });

  afterAll(async () => {
    services.close();
    await workload.remove();
    data.remove();
  });

  it("shows the workload's next run, and notifies a failed scheduled capture with the reason", async () => {
    const notices: TrayNotification[] = [];
    const tray = new TrayController({
      services,
      engineName: () => 'private',
      render: () => undefined,
      notify: (n) => notices.push(n),
    });
    try {
      await services.schedules.set(workload.id, { kind: 'daily', at: '03:00' });
      await tray.refresh();
      expect(tray.state.schedules?.map((s) => s.workloadId)).toEqual([workload.id]);
      // The workload's container goes away before its scheduled run.
      await docker.getContainer(workload.containers[0]!).remove({ force: true });
      await services.schedules.runDue();
      expect(notices).toHaveLength(1);
      expect(notices[0]!.title).toBe(`Scheduled capture of ${workload.name} failed`);
      expect(notices[0]!.body).toContain(`No workload "${workload.id}" on this engine`);
      expect(tray.state.activity.kind).toBe('failed');
    } finally {
      tray.dispose();
    }
  });
});
