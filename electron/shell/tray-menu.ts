import type { MenuItemConstructorOptions } from 'electron';
import type { Schedule } from '../../shared/schedule-types';
import type { Snapshot, Workload } from '../../shared/types';

/** What the tray shows; main rebuilds it (and the menu) on every change. */
export interface TrayState {
  engine: { ok: true } | { ok: false; message: string };
  /** The engine the app talks to (a Docker context name, `default`, …): the menu names it. */
  engineName: string;
  /** The last workloads seen; kept while the engine is down so their items can say why they are off. */
  workloads: Pick<Workload, 'id' | 'name' | 'status' | 'volumes'>[];
  /** Newest first; the menu shows the first five ready ones. */
  snapshots: Pick<Snapshot, 'id' | 'name' | 'workloadName' | 'createdAt' | 'status'>[];
  activity: TrayActivity;
  now: number;
  /** Scheduled workloads' next runs: their capture items say when. */
  schedules?: Pick<Schedule, 'workloadId' | 'nextRunAt'>[];
  /** The store near its `maxStoreBytes` or its disk nearly full (shared/storage-warning.ts); shown first. */
  storageWarning?: string | null;
}

export type TrayActivity = { kind: 'idle' } | { kind: 'busy'; text: string } | { kind: 'failed'; text: string };

/** What the menu's clicks do; the tray wires them to the services and the window. */
export interface TrayActions {
  capture(workloadId: string): void;
  openSnapshot(snapshotId: string): void;
  openApp(): void;
  quit(): void;
}

export const RECENT_SNAPSHOTS = 5;
const STATUS_ORDER: Record<Workload['status'], number> = { running: 0, partial: 1, stopped: 2 };

/** The tray menu as a pure function of state (STYLE.md 10). */
export function buildTrayMenu(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const head: MenuItemConstructorOptions[] = [];
  if (state.storageWarning) head.push(info(`⚠ ${state.storageWarning}`));
  if (state.activity.kind !== 'idle') head.push(info(state.activity.text));
  // Which engine the captures below go to: with several engines, the same workload name exists on each.
  if (state.engine.ok) head.push(info(`Engine: ${state.engineName}`));
  else head.push(info(`Engine unavailable: ${state.engineName}`), info(state.engine.message));
  return [
    ...head,
    separator(),
    ...captureItems(state, actions),
    separator(),
    info('Recent snapshots'),
    ...recentItems(state, actions),
    separator(),
    { label: 'Open Volsnap', click: () => actions.openApp() },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/** The icon's tooltip: what runs now, else a storage warning, else the name. */
export function trayTooltip(state: Pick<TrayState, 'activity' | 'storageWarning'>): string {
  if (state.activity.kind !== 'idle') return `Volsnap: ${state.activity.text}`;
  return state.storageWarning ? `Volsnap: ${state.storageWarning}` : 'Volsnap';
}

function captureItems(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  if (state.workloads.length === 0) {
    return [info(state.engine.ok ? 'No workloads on this engine' : 'Workloads appear when the engine is back')];
  }
  const ordered = [...state.workloads].sort(
    (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name),
  );
  return ordered.map((workload) => {
    const reason = !state.engine.ok ? 'engine unavailable' : workload.volumes.length === 0 ? 'no volumes' : null;
    const label = `Capture ${menuText(workload.name)}${scheduleSuffix(state, workload.id)}`;
    return reason
      ? { label: `${label} (${reason})`, enabled: false }
      : { label, click: () => actions.capture(workload.id) };
  });
}

function recentItems(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const recent = state.snapshots.filter((s) => s.status === 'ready').slice(0, RECENT_SNAPSHOTS);
  if (recent.length === 0) return [info('No snapshots yet')];
  return recent.map((s) => ({
    label: `${menuText(s.name)} · ${menuText(s.workloadName)} · ${relativeAge(s.createdAt, state.now)}`,
    click: () => actions.openSnapshot(s.id),
  }));
}

function scheduleSuffix(state: TrayState, workloadId: string): string {
  const schedule = state.schedules?.find((s) => s.workloadId === workloadId);
  return schedule ? ` · ${nextRunText(schedule.nextRunAt, state.now)}` : '';
}

/** "next 14:00" today, "next Tue 03:00" within a week, "next 2026-12-24" later, "due now" when due. */
export function nextRunText(iso: string, now: number): string {
  const at = new Date(iso);
  if (at.getTime() <= now) return 'due now';
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(at.getHours())}:${two(at.getMinutes())}`;
  if (at.toDateString() === new Date(now).toDateString()) return `next ${time}`;
  if (at.getTime() - now < 6 * 86_400_000) return `next ${WEEKDAYS[at.getDay()]} ${time}`;
  return `next ${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function info(text: string): MenuItemConstructorOptions {
  return { label: menuText(text, 80), enabled: false };
}

function separator(): MenuItemConstructorOptions {
  return { type: 'separator' };
}

/** Menu labels are one short line; `&` would become a Windows mnemonic, so it is doubled. */
export function menuText(text: string, max = 48): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const short = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return short.replace(/&/g, '&&');
}

/** "just now", "5 min ago", "3 h ago", "2 d ago": enough to pick the right snapshot in a menu. */
export function relativeAge(iso: string, now: number): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds) || seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/**
 * The tray icon file in resources/tray for an activity. macOS gets template images (black with
 * alpha, tinted by the system for light and dark menu bars); elsewhere the variant matching the
 * theme. Electron picks the `@2x` file next to it on high-density screens.
 */
export function trayIconFile(activity: TrayActivity['kind'], theme: { platform: string; dark: boolean }): string {
  if (theme.platform === 'darwin') return `tray-${activity}Template.png`;
  return `tray-${activity}-${theme.dark ? 'dark' : 'light'}.png`;
}
