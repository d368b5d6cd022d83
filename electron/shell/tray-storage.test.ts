import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrayController } from './tray-controller';
import { buildTrayMenu, trayTooltip, type TrayActions, type TrayState } from './tray-menu';
import { createServices, type Services } from '../services';
import { describeEngine, tempDir, testDocker } from '../../test/engine';

const noop: TrayActions = { capture: () => {}, openSnapshot: () => {}, openApp: () => {}, quit: () => {} };
const base: TrayState = {
  engine: { ok: true },
  engineName: 'alpha',
  workloads: [],
  snapshots: [],
  activity: { kind: 'idle' },
  now: 0,
};

describe('tray storage warning (pure)', () => {
  it('puts the warning first in the menu and in the tooltip; nothing when all is well', () => {
    const menu = buildTrayMenu({ ...base, storageWarning: 'Disk nearly full: 800 MB free' }, noop);
    expect(menu[0]).toEqual({ label: '⚠ Disk nearly full: 800 MB free', enabled: false });
    expect(trayTooltip({ activity: { kind: 'idle' }, storageWarning: 'Disk nearly full: 800 MB free' })).toBe(
      'Volsnap: Disk nearly full: 800 MB free',
    );
    expect(buildTrayMenu({ ...base, storageWarning: null }, noop)[0]!.label).toBe('Engine: alpha');
    expect(trayTooltip({ activity: { kind: 'idle' }, storageWarning: null })).toBe('Volsnap');
    // What runs now matters more in the tooltip; the warning stays in the menu.
    expect(trayTooltip({ activity: { kind: 'busy', text: 'Capturing web…' }, storageWarning: 'x' })).toBe(
      'Volsnap: Capturing web…',
    );
  });
});

describeEngine('tray storage warning (real store)', () => {
  const data = tempDir('volsnap-tray-usage-');
  let services: Services;
  let tray: TrayController;
  beforeAll(() => {
    services = createServices({ dataDir: data.path, docker: testDocker() });
    tray = new TrayController({ services, engineName: () => 'private', render: () => {}, notify: () => {} });
  });
  afterAll(() => {
    tray.dispose();
    services.close();
    data.remove();
  });

  it('warns once the store is within 10 % of maxStoreBytes, and stops when the limit is raised', async () => {
    // A 1.9 MB pack file on record: what the store holds on disk.
    services.db
      .prepare(`INSERT INTO chunk_packs (id, bytes, created_at) VALUES ('p', ?, '2026-01-01')`)
      .run(1.9 * 1024 ** 2);
    services.settings.set('maxStoreBytes', '2 MB');
    await tray.refresh();
    expect(tray.state.storageWarning).toBe('Store near its limit: 1.9 MB of 2.0 MB');
    services.settings.set('maxStoreBytes', '10 MB');
    await tray.refresh();
    expect(tray.state.storageWarning).toBeNull();
  });
});
