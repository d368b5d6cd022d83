import { describe, expect, it } from 'vitest';
import { filterAndSort, toRows, type Filters } from './all-snapshots-filter';
import type { Snapshot } from '../../shared/types';

const ALL: Filters = { query: '', trigger: '', pinnedOnly: false, otherEngines: false, sort: 'newest' };

function snapshot(i: number, fields: Partial<Snapshot> = {}): Snapshot {
  return {
    id: `id${i}`,
    name: `snap-${String(i).padStart(4, '0')}`,
    note: '',
    workloadId: 'w1',
    workloadName: 'shop',
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    trigger: 'manual',
    mode: 'pause',
    status: 'ready',
    failureReason: null,
    pinned: false,
    expiresAt: null,
    sizeBytes: 0,
    storedBytes: (i * 7919) % 1000,
    fileCount: 1,
    volumes: [],
    provenance: null,
    specialFiles: 'allowed',
    engineId: null,
    engineName: null,
    ...fields,
  };
}

const names = (rows: ReturnType<typeof toRows>) => rows.map((r) => r.snapshot.name);

describe('the All snapshots list', () => {
  it('keeps every snapshot of a large store (no cap), newest first', () => {
    const rows = toRows(
      Array.from({ length: 3000 }, (_, i) => snapshot(i)),
      null,
      null,
    );
    const shown = filterAndSort(rows, ALL);
    expect(shown).toHaveLength(3000);
    expect(shown[0]!.snapshot.name).toBe('snap-2999');
    expect(shown.at(-1)!.snapshot.name).toBe('snap-0000');
  });

  it('marks removed workloads and other engines; the latter only with their filter', () => {
    const rows = toRows(
      [snapshot(1), snapshot(2, { workloadId: 'gone' }), snapshot(3, { engineId: 'e2', engineName: 'remote' })],
      new Set(['w1']),
      'e1',
    );
    expect(rows.map((r) => [r.snapshot.name, r.removed, r.otherEngine])).toEqual([
      ['snap-0001', false, false],
      ['snap-0002', true, false],
      ['snap-0003', false, true],
    ]);
    expect(names(filterAndSort(rows, ALL))).toEqual(['snap-0002', 'snap-0001']);
    expect(names(filterAndSort(rows, { ...ALL, otherEngines: true }))).toEqual(['snap-0003', 'snap-0002', 'snap-0001']);
  });

  it('marks nothing removed while the engine cannot list workloads', () => {
    expect(toRows([snapshot(1, { workloadId: 'gone' })], null, 'e1')[0]!.removed).toBe(false);
  });

  it('searches name, note and workload in any case; filters trigger and pinned; sorts by size', () => {
    const rows = toRows(
      [
        snapshot(1, { note: 'Before the UPGRADE', storedBytes: 100 }),
        snapshot(2, { workloadName: 'upgrade-lab', trigger: 'schedule', storedBytes: 50 }),
        snapshot(3, { pinned: true, storedBytes: 900 }),
        snapshot(4, { name: 'upgraded', storedBytes: 10 }),
      ],
      null,
      null,
    );
    expect(names(filterAndSort(rows, { ...ALL, query: ' upgrade ' }))).toEqual(['upgraded', 'snap-0002', 'snap-0001']);
    expect(names(filterAndSort(rows, { ...ALL, trigger: 'schedule' }))).toEqual(['snap-0002']);
    expect(names(filterAndSort(rows, { ...ALL, pinnedOnly: true }))).toEqual(['snap-0003']);
    expect(names(filterAndSort(rows, { ...ALL, sort: 'largest' }))[0]).toBe('snap-0003');
    expect(names(filterAndSort(rows, { ...ALL, sort: 'smallest' }))[0]).toBe('upgraded');
    expect(names(filterAndSort(rows, { ...ALL, sort: 'oldest' }))[0]).toBe('snap-0001');
  });
});
