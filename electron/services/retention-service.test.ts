import { describe, expect, it } from 'vitest';
import { quotaCandidates, selectForPruning } from './retention-service';
import type { Snapshot } from '../../shared/types';

const DAY = 24 * 3600 * 1000;
const now = Date.parse('2026-06-01T00:00:00Z');

function snap(id: string, ageDays: number, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    id,
    name: id,
    note: '',
    workloadId: 'compose:app',
    workloadName: 'app',
    createdAt: new Date(now - ageDays * DAY).toISOString(),
    trigger: 'manual',
    mode: 'pause',
    status: 'ready',
    failureReason: null,
    pinned: false,
    expiresAt: null,
    sizeBytes: 0,
    storedBytes: 0,
    fileCount: 0,
    volumes: [],
    provenance: null,
    specialFiles: 'allowed',
    engineId: null,
    engineName: null,
    ...extra,
  };
}

const pruned = (list: Snapshot[], policy = { keepLast: 2, maxAgeDays: null as number | null }) =>
  selectForPruning(list, policy, now)
    .map((p) => p.snapshot.id)
    .sort();

describe('retention', () => {
  it('keeps the newest N and prunes the rest', () => {
    expect(pruned([snap('a', 1), snap('b', 2), snap('c', 3), snap('d', 4)])).toEqual(['c', 'd']);
  });

  it('never prunes pinned snapshots, and they do not count toward keep-last', () => {
    expect(
      pruned([snap('a', 1, { pinned: true }), snap('b', 2), snap('c', 3), snap('d', 400, { pinned: true })], {
        keepLast: 1,
        maxAgeDays: 30,
      }),
    ).toEqual(['c']);
  });

  it('expires pre-restore snapshots after their date, outside keep-last', () => {
    const fresh = snap('fresh', 1, { trigger: 'pre-restore', expiresAt: new Date(now + 6 * DAY).toISOString() });
    const old = snap('old', 8, { trigger: 'pre-restore', expiresAt: new Date(now - DAY).toISOString() });
    expect(pruned([fresh, old, snap('a', 2), snap('b', 3)])).toEqual(['old']);
  });

  it('never prunes a snapshot a job reads now (a restore of it), whatever the policy', () => {
    const list = [snap('a', 1), snap('b', 2), snap('old', 400)];
    const pruned = selectForPruning(list, { keepLast: 1, maxAgeDays: 30 }, now, new Set(['b', 'old']));
    expect(pruned.map((p) => p.snapshot.id)).toEqual([]);
  });

  it('applies the max age', () => {
    expect(pruned([snap('a', 1), snap('b', 40)], { keepLast: 10, maxAgeDays: 30 })).toEqual(['b']);
  });

  it('drops failed rows after a week and never touches a capture in progress', () => {
    expect(
      pruned(
        [
          snap('f1', 1, { status: 'failed' }),
          snap('f2', 9, { status: 'failed' }),
          snap('c', 50, { status: 'capturing' }),
        ],
        { keepLast: 0 + 1, maxAgeDays: 1 },
      ),
    ).toEqual(['f2']);
  });
});

describe('store quota candidates', () => {
  const other = (id: string, ageDays: number, extra: Partial<Snapshot> = {}) =>
    snap(id, ageDays, { workloadId: 'compose:other', workloadName: 'other', ...extra });
  const order = (list: Snapshot[], inUse = new Set<string>()) => quotaCandidates(list, inUse).map((s) => s.id);

  it('offers the oldest first, across workloads, never a workload newest ready snapshot', () => {
    expect(order([snap('a1', 1), snap('a2', 5), other('o1', 9), other('o2', 3), snap('a3', 7)])).toEqual([
      'o1',
      'a3',
      'a2',
    ]);
  });

  it('never offers pinned, in-use or capturing snapshots; a failed newer row does not protect an older ready one', () => {
    const list = [
      snap('newest', 1),
      snap('failed', 0, { status: 'failed' }),
      snap('pinned', 8, { pinned: true }),
      snap('read', 7),
      snap('capturing', 0.5, { status: 'capturing' }),
      snap('old', 6),
    ];
    expect(order(list, new Set(['read']))).toEqual(['old', 'failed']);
  });
});
