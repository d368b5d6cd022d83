import type { Snapshot } from '../../shared/types';

/** Up to this many snapshots, each gets its own mark; beyond, marks would overlap anyway and cost DOM nodes. */
export const MAX_MARKS = 300;
/** Width of one bucket when snapshots are bucketed. */
const BUCKET_PX = 6;
export const PAD_X = 14;

export interface Mark {
  kind: 'mark';
  x: number;
  snapshot: Snapshot;
}

export interface Bucket {
  kind: 'bucket';
  x: number;
  count: number;
  pinned: boolean;
  newest: Snapshot;
  oldest: Snapshot;
  storedBytes: number;
}

export interface TimelineModel {
  t0: number;
  t1: number;
  x: (t: number) => number;
  items: (Mark | Bucket)[];
  maxCount: number;
}

/** Places snapshots (newest first, as listed) on an axis `width` wide: one mark each, or buckets when there are many. */
export function timelineModel(snapshots: Snapshot[], width: number): TimelineModel {
  const times = snapshots.map((s) => Date.parse(s.createdAt));
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (!(t1 > t0)) {
    // One point in time: centre it in an hour either side.
    t0 -= 3_600_000;
    t1 += 3_600_000;
  }
  const span = Math.max(1, width - 2 * PAD_X);
  const x = (t: number) => PAD_X + ((t - t0) / (t1 - t0)) * span;
  if (snapshots.length <= MAX_MARKS) {
    return { t0, t1, x, maxCount: 1, items: snapshots.map((s, i) => ({ kind: 'mark', x: x(times[i]!), snapshot: s })) };
  }
  const buckets = new Map<number, Bucket>();
  snapshots.forEach((s, i) => {
    const column = Math.floor((x(times[i]!) - PAD_X) / BUCKET_PX);
    const b = buckets.get(column);
    if (!b) {
      buckets.set(column, {
        kind: 'bucket',
        x: PAD_X + column * BUCKET_PX + BUCKET_PX / 2,
        count: 1,
        pinned: s.pinned,
        newest: s,
        oldest: s,
        storedBytes: s.storedBytes,
      });
      return;
    }
    b.count++;
    b.pinned ||= s.pinned;
    b.storedBytes += s.storedBytes;
    if (s.createdAt > b.newest.createdAt) b.newest = s;
    if (s.createdAt < b.oldest.createdAt) b.oldest = s;
  });
  const items = [...buckets.values()];
  return { t0, t1, x, items, maxCount: Math.max(...items.map((b) => b.count)) };
}

/** About `count` evenly spaced times to label the axis with. */
export function axisTicks(t0: number, t1: number, count: number): number[] {
  const n = Math.max(2, count);
  return Array.from({ length: n }, (_, i) => t0 + ((t1 - t0) * i) / (n - 1));
}

/** A tick's label: times with seconds for a span under 10 minutes, times of day under two days, dates beyond. */
export function tickLabel(t: number, spanMs: number): string {
  const d = new Date(t);
  if (spanMs < 10 * 60_000)
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (spanMs < 2 * 86_400_000) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}
