import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  buildTrayMenu,
  menuText,
  nextRunText,
  relativeAge,
  trayIconFile,
  type TrayActions,
  type TrayState,
} from './tray-menu';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const volume = { name: 'data', driver: 'local', anonymous: false, mounts: [] };

function state(overrides: Partial<TrayState> = {}): TrayState {
  return {
    engine: { ok: true },
    engineName: 'alpha',
    workloads: [
      { id: 'compose:zeta', name: 'zeta', status: 'stopped', volumes: [volume] },
      { id: 'compose:web', name: 'web', status: 'running', volumes: [volume] },
      { id: 'container:tool', name: 'tool', status: 'running', volumes: [] },
      { id: 'compose:api', name: 'api', status: 'partial', volumes: [volume] },
    ],
    snapshots: Array.from({ length: 7 }, (_, i) => ({
      id: `s${i}`,
      name: `snap-${i}`,
      workloadName: 'web',
      createdAt: new Date(NOW - i * 3_600_000).toISOString(),
      status: i === 1 ? ('failed' as const) : ('ready' as const),
    })),
    activity: { kind: 'idle' },
    now: NOW,
    ...overrides,
  };
}

function recorder() {
  const calls: string[] = [];
  const actions: TrayActions = {
    capture: (id) => calls.push(`capture ${id}`),
    openSnapshot: (id) => calls.push(`open ${id}`),
    openApp: () => calls.push('open app'),
    quit: () => calls.push('quit'),
  };
  return { calls, actions };
}

const labels = (menu: MenuItemConstructorOptions[]) => menu.map((i) => (i.type === 'separator' ? '---' : i.label));
function item(menu: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = menu.find((i) => i.label === label);
  if (!found) throw new Error(`no menu item "${label}" in ${labels(menu).join(' | ')}`);
  return found;
}
function click(entry: MenuItemConstructorOptions): void {
  (entry.click as () => void)();
}

describe('buildTrayMenu', () => {
  it('lists one capture item per workload, running ones first, then the five newest ready snapshots', () => {
    expect(labels(buildTrayMenu(state(), recorder().actions))).toEqual([
      'Engine: alpha',
      '---',
      'Capture tool (no volumes)',
      'Capture web',
      'Capture api',
      'Capture zeta',
      '---',
      'Recent snapshots',
      'snap-0 · web · just now',
      'snap-2 · web · 2 h ago',
      'snap-3 · web · 3 h ago',
      'snap-4 · web · 4 h ago',
      'snap-5 · web · 5 h ago',
      '---',
      'Open Volsnap',
      'Quit',
    ]);
  });

  it('wires clicks to capture, open-on-snapshot, open and quit', () => {
    const { calls, actions } = recorder();
    const menu = buildTrayMenu(state(), actions);
    click(item(menu, 'Capture web'));
    click(item(menu, 'snap-2 · web · 2 h ago'));
    click(item(menu, 'Open Volsnap'));
    click(item(menu, 'Quit'));
    expect(calls).toEqual(['capture compose:web', 'open s2', 'open app', 'quit']);
  });

  it('disables every capture with the reason when the engine is down, and says why on top', () => {
    const menu = buildTrayMenu(
      state({ engine: { ok: false, message: 'Cannot connect to the Docker engine' } }),
      recorder().actions,
    );
    expect(menu.slice(0, 3)).toMatchObject([
      { label: 'Engine unavailable: alpha', enabled: false },
      { label: 'Cannot connect to the Docker engine', enabled: false },
      { type: 'separator' },
    ]);
    const captures = menu.filter((i) => i.label?.startsWith('Capture '));
    expect(captures).toHaveLength(4);
    for (const capture of captures) {
      expect(capture.enabled).toBe(false);
      expect(capture.label).toMatch(/\((engine unavailable|no volumes)\)$/);
    }
    expect(item(menu, 'Open Volsnap').enabled).not.toBe(false);
  });

  it('shows what runs or what failed above everything else', () => {
    const busy = buildTrayMenu(state({ activity: { kind: 'busy', text: 'Capturing web… 42%' } }), recorder().actions);
    expect(busy[0]).toMatchObject({ label: 'Capturing web… 42%', enabled: false });
    const failed = buildTrayMenu(
      state({ activity: { kind: 'failed', text: 'Capture of web failed' } }),
      recorder().actions,
    );
    expect(failed[0]).toMatchObject({ label: 'Capture of web failed', enabled: false });
    expect(failed[1]).toMatchObject({ label: 'Engine: alpha', enabled: false });
  });

  it('names the engine the captures go to, and which one is down', () => {
    const up = buildTrayMenu(state({ engineName: 'bravo' }), recorder().actions);
    expect(up[0]).toEqual({ label: 'Engine: bravo', enabled: false });
    const down = buildTrayMenu(
      state({ engineName: 'colima', engine: { ok: false, message: 'Cannot reach the Docker Engine' } }),
      recorder().actions,
    );
    expect(down[0]).toEqual({ label: 'Engine unavailable: colima', enabled: false });
    expect(labels(down)).not.toContain('Engine: colima');
  });

  it('says so when there is nothing to capture or open yet', () => {
    const menu = buildTrayMenu(state({ workloads: [], snapshots: [] }), recorder().actions);
    expect(labels(menu)).toEqual([
      'Engine: alpha',
      '---',
      'No workloads on this engine',
      '---',
      'Recent snapshots',
      'No snapshots yet',
      '---',
      'Open Volsnap',
      'Quit',
    ]);
  });
});

describe('menu text', () => {
  it('keeps labels to one short line and doubles & so Windows shows it', () => {
    expect(menuText('a\nb   c')).toBe('a b c');
    expect(menuText('R&D')).toBe('R&&D');
    expect(menuText('x'.repeat(100))).toHaveLength(48);
  });

  it('gives ages a person can scan', () => {
    expect(relativeAge(new Date(NOW - 30_000).toISOString(), NOW)).toBe('just now');
    expect(relativeAge(new Date(NOW - 5 * 60_000).toISOString(), NOW)).toBe('5 min ago');
    expect(relativeAge(new Date(NOW - 3 * 86_400_000).toISOString(), NOW)).toBe('3 d ago');
  });
});

describe('trayIconFile', () => {
  it('uses template images on macOS and theme variants elsewhere', () => {
    expect(trayIconFile('busy', { platform: 'darwin', dark: true })).toBe('tray-busyTemplate.png');
    expect(trayIconFile('failed', { platform: 'linux', dark: true })).toBe('tray-failed-dark.png');
    expect(trayIconFile('idle', { platform: 'win32', dark: false })).toBe('tray-idle-light.png');
  });
});

describe('scheduled workloads in the tray', () => {
  // Local times: the menu shows the user's clock.
  const now = new Date(2025, 5, 2, 12, 0).getTime(); // a Monday
  const at = (day: number, hours: number) => new Date(2025, 5, day, hours, 0).toISOString();

  it("shows each scheduled workload's next run beside its capture item", () => {
    const menu = buildTrayMenu(
      state({
        now,
        schedules: [
          { workloadId: 'compose:web', nextRunAt: at(2, 14) },
          { workloadId: 'compose:api', nextRunAt: at(3, 3) },
          { workloadId: 'compose:zeta', nextRunAt: at(2, 11) },
        ],
      }),
      recorder().actions,
    );
    expect(labels(menu)).toContain('Capture web · next 14:00');
    expect(labels(menu)).toContain('Capture api · next Tue 03:00');
    expect(labels(menu)).toContain('Capture zeta · due now');
    expect(labels(menu)).toContain('Capture tool (no volumes)');
  });

  it('names a run more than a week away by its date', () => {
    expect(nextRunText(at(20, 3), now)).toBe('next 2025-06-20');
  });
});
