import { describe, expect, it } from 'vitest';
import { MAX_MARKS, timelineModel } from './timeline-model';
import { triggerLabel, triggerPath } from './trigger-shape';
import type { Snapshot } from '../../shared/types';

function snapshots(count: number, options: { pinnedEvery?: number } = {}): Snapshot[] {
  const start = Date.parse('2026-01-01T00:00:00Z');
  // Newest first, as the catalog lists them.
  return Array.from({ length: count }, (_, i) => {
    const n = count - 1 - i;
    return {
      id: `id-${n}`,
      name: `s-${n}`,
      createdAt: new Date(start + n * 60_000).toISOString(),
      trigger: n % 2 ? 'manual' : 'schedule',
      pinned: options.pinnedEvery ? n % options.pinnedEvery === 0 : false,
      storedBytes: 100,
    } as Snapshot;
  });
}

describe('timelineModel', () => {
  it('gives each snapshot its own mark, oldest on the left, while there are few', () => {
    const model = timelineModel(snapshots(5), 500);
    expect(model.items).toHaveLength(5);
    const xs = model.items.map((m) => m.x);
    expect(xs[0]).toBeGreaterThan(xs[4]!); // newest (first) is rightmost
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(500);
  });

  it('buckets 10,000 snapshots into a bar per few pixels, keeping counts, the newest and pins', () => {
    const list = snapshots(10_000, { pinnedEvery: 2500 });
    const model = timelineModel(list, 900);
    expect(model.items.length).toBeLessThanOrEqual(900 / 6 + 1);
    expect(model.items.every((b) => b.kind === 'bucket')).toBe(true);
    const buckets = model.items.flatMap((b) => (b.kind === 'bucket' ? [b] : []));
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(10_000);
    expect(buckets.filter((b) => b.pinned)).toHaveLength(4);
    expect(buckets.some((b) => b.newest.id === 'id-9999')).toBe(true);
  });

  it('switches to buckets only past MAX_MARKS', () => {
    expect(timelineModel(snapshots(MAX_MARKS), 600).items[0]!.kind).toBe('mark');
    expect(timelineModel(snapshots(MAX_MARKS + 1), 600).items[0]!.kind).toBe('bucket');
  });

  it('centres a lone snapshot instead of dividing by a zero span', () => {
    const model = timelineModel(snapshots(1), 400);
    expect(model.items[0]!.x).toBeCloseTo(200, 0);
  });
});

describe('trigger shapes', () => {
  it('has a distinct shape for every known kind and a ring for unknown future ones', () => {
    const kinds = ['manual', 'cli', 'tray', 'schedule', 'pre-restore', 'import', 'pull', 'clone'];
    const paths = kinds.map((k) => triggerPath(k, 5));
    expect(new Set(paths).size).toBe(kinds.length);
    expect(triggerPath('something-new', 5)).not.toBe('');
    expect(paths).not.toContain(triggerPath('something-new', 5));
    expect(triggerLabel('something-new')).toBe('other');
  });
});
