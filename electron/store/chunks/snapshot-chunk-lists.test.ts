import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/engine';
import { MIGRATIONS, openDb } from '../db';
import { insertSnapshotChunks, snapshotChunkList } from './snapshot-chunk-refs';
import {
  hashCount,
  holdersOf,
  listHas,
  listIncludes,
  mergeLists,
  packedList,
  sortedList,
  sortedListAt,
} from './sorted-hashes';

const hash = (label: string) => createHash('sha256').update(label).digest();
const hex = (list: Buffer) =>
  Array.from({ length: hashCount(list) }, (_, i) => list.toString('hex', i * 32, i * 32 + 32));

describe('sorted chunk lists', () => {
  const a = ['x', 'y', 'z', 'y'].map(hash);
  const b = ['w', 'y', 'v'].map(hash);

  it('sorts, drops repeats, merges and finds, as a set of hex strings would', () => {
    const expected = (labels: Buffer[]) => [...new Set(labels.map((h) => h.toString('hex')))].sort();
    expect(hex(sortedList(a))).toEqual(expected(a));
    // Already in order (as capture hands them over), repeats next to each other: kept once each.
    const inOrder = [...a].sort((x, y) => Buffer.compare(x, y));
    expect(hex(sortedList(inOrder))).toEqual(expected(a));
    expect(hex(mergeLists(sortedList(a), sortedList(b)))).toEqual(expected([...a, ...b]));
    expect(hex(mergeLists(Buffer.alloc(0), sortedList(b)))).toEqual(expected(b));
    for (const h of [...a, ...b]) expect(listHas(mergeLists(sortedList(a), sortedList(b)), h)).toBe(true);
    expect(listHas(sortedList(a), hash('w'))).toBe(false);
    expect(listHas(Buffer.alloc(0), hash('w'))).toBe(false);
  });

  it('takes packed hashes as they are when sorted and distinct, and sorts any others', () => {
    const expected = (labels: Buffer[]) => [...new Set(labels.map((h) => h.toString('hex')))].sort();
    const sorted = sortedList(a);
    expect(packedList(sorted)).toBe(sorted);
    expect(hex(packedList(Buffer.concat(a)))).toEqual(expected(a));
    const repeated = Buffer.concat([sorted.subarray(0, 32), sorted]);
    expect(hex(packedList(repeated))).toEqual(expected(a));
    expect(() => packedList(sorted.subarray(0, 40))).toThrow(/whole 32-byte hashes/);
    // Hashes that differ only in their last byte are ordered by it.
    const last = (byte: number) => Buffer.concat([Buffer.alloc(31, 7), Buffer.of(byte)]);
    expect(hex(packedList(Buffer.concat([last(2), last(1)])))).toEqual(expected([last(1), last(2)]));
    expect(hex(packedList(Buffer.concat([last(1), last(1)])))).toEqual(expected([last(1)]));
    expect(hex(mergeLists(Buffer.concat([last(1), last(3)]), last(2)))).toEqual(expected([1, 2, 3].map(last)));
  });

  it('sorts hashes in place in a buffer as it sorts them cut out, repeats and shared prefixes included', () => {
    const tied = (byte: number) => Buffer.concat([Buffer.alloc(4, 9), Buffer.alloc(27, byte), Buffer.of(byte)]);
    const hashes = [...a, ...b, tied(3), tied(1), tied(3), tied(2), ...a];
    // Laid out with a gap before each, as a layout holds them among other bytes.
    const bytes = Buffer.concat(hashes.flatMap((h) => [Buffer.from('gap'), h]));
    const offsets = hashes.map((_, i) => i * 35 + 3);
    expect(hex(sortedListAt(bytes, offsets))).toEqual(hex(sortedList(hashes)));
    expect(sortedListAt(bytes, []).length).toBe(0);
  });

  it('tells whether one list is part of another', () => {
    const whole = mergeLists(sortedList(a), sortedList(b));
    expect(listIncludes(whole, sortedList(a))).toBe(true);
    expect(listIncludes(whole, sortedList(b))).toBe(true);
    expect(listIncludes(whole, whole)).toBe(true);
    expect(listIncludes(whole, Buffer.alloc(0))).toBe(true);
    expect(listIncludes(sortedList(a), sortedList(b))).toBe(false);
    // One hash past the end of the whole, one before its start, one between two of it.
    expect(listIncludes(sortedList(a), sortedList([...a, hash('nobody')]))).toBe(false);
    const last = (byte: number) => Buffer.concat([Buffer.alloc(31, 7), Buffer.of(byte)]);
    expect(listIncludes(Buffer.concat([last(1), last(3)]), last(2))).toBe(false);
    expect(listIncludes(Buffer.concat([last(1), last(3)]), last(0))).toBe(false);
    expect(listIncludes(Buffer.concat([last(1), last(3)]), last(4))).toBe(false);
    expect(listIncludes(Buffer.alloc(0), last(1))).toBe(false);
  });

  it('names the lists holding each key in one walk', () => {
    const keys = sortedList([...a, ...b, hash('nobody')]);
    const lists = [sortedList(a), sortedList(b)];
    const walked = [
      ...holdersOf(
        hex(keys).map((h) => Buffer.from(h, 'hex')),
        lists,
      ),
    ].map((w) => [w.key.toString('hex'), w.holders]);
    const naive = hex(keys).map((k) => [k, lists.flatMap((l, i) => (listHas(l, Buffer.from(k, 'hex')) ? [i] : []))]);
    expect(walked).toEqual(naive);
    expect(walked.some(([, holders]) => (holders as number[]).length === 0)).toBe(true);
    expect(walked.some(([, holders]) => (holders as number[]).length === 2)).toBe(true);
  });
});

describe('a catalog with per-chunk rows (the schema before chunk lists) opened by this release', () => {
  const dir = tempDir('volsnap-chunk-lists-');
  afterAll(() => dir.remove());

  it('folds each snapshot’s rows into its sorted list, byte for byte, and drops the rows', () => {
    const file = path.join(dir.path, 'volsnap.db');
    const old = new Database(file);
    const before = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE snapshot_chunk_lists'));
    for (const sql of MIGRATIONS.slice(0, before)) old.exec(sql);
    old.pragma(`user_version = ${before}`);
    const rows: Record<string, Buffer[]> = { s1: ['a', 'b', 'c'].map(hash), s2: ['c', 'd'].map(hash) };
    for (const id of Object.keys(rows)) {
      old
        .prepare(
          `INSERT INTO snapshots (id, name, workload_id, workload_name, created_at, trigger, mode, status)
           VALUES (?, ?, 'w', 'w', '2026-01-01', 'manual', 'live', 'ready')`,
        )
        .run(id, id);
      for (const h of rows[id]!)
        old.prepare(`INSERT INTO snapshot_chunks (snapshot_id, hash) VALUES (?, ?)`).run(id, h);
    }
    old.close();

    const db = openDb(dir.path);
    try {
      for (const id of Object.keys(rows)) expect(snapshotChunkList(db, id)).toEqual(sortedList(rows[id]!));
      expect(db.prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'snapshot_chunks'`).pluck().get()).toBe(0);
      // A later capture of s2's volume adds to its list.
      insertSnapshotChunks(db, 's2', [hash('e'), hash('c')]);
      expect(snapshotChunkList(db, 's2')).toEqual(sortedList(['c', 'd', 'e'].map(hash)));
    } finally {
      db.close();
    }
  });
});
