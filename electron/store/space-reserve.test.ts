import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { SpaceReserve } from './space-reserve';

// The full-disk cases (the reserve released, a snapshot deleted) are in cli/disk-full.test.ts.
describe('SpaceReserve on a disk with room', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'volsnap-reserve-'));
  afterEach(() => rmSync(path.join(dir, 'space-reserve'), { force: true }));

  it('is made whole, of bytes a compressing file system cannot shrink, and made once', () => {
    const reserve = new SpaceReserve(dir, 1024 * 1024);
    expect(reserve.held()).toBe(false);
    reserve.keep(() => 2 * 1024 * 1024);
    expect(reserve.held()).toBe(true);
    const bytes = readFileSync(reserve.path);
    expect(bytes.length).toBe(1024 * 1024);
    expect(deflateSync(bytes).length).toBeGreaterThan(bytes.length);
    const made = statSync(reserve.path).mtimeMs;
    reserve.keep(() => 2 * 1024 * 1024);
    expect(statSync(reserve.path).mtimeMs).toBe(made);
  });

  it('is not given up while the disk has more room than it holds', () => {
    const reserve = new SpaceReserve(dir, 1024 * 1024);
    reserve.keep(() => 2 * 1024 * 1024);
    expect(reserve.releaseIfFull()).toBe(false);
    expect(reserve.held()).toBe(true);
  });

  it('is not made where it would leave less than its margin free', () => {
    const reserve = new SpaceReserve(dir, Number.MAX_SAFE_INTEGER / 2);
    reserve.keep(() => Number.MAX_SAFE_INTEGER);
    expect(reserve.held()).toBe(false);
  });

  it('is not made for a store smaller than itself: deleting every snapshot would free less', () => {
    const reserve = new SpaceReserve(dir, 1024 * 1024);
    reserve.keep(() => 1024 * 1024 - 1);
    expect(reserve.held()).toBe(false);
  });
});
