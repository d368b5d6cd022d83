import { describe, expect, it } from 'vitest';
import { storageWarning } from './storage-warning';

const GB = 1024 ** 3;
const roomy = { freeBytes: 500 * GB, totalBytes: 1000 * GB };

describe('storage warning (tray and Storage screen)', () => {
  it('says nothing without a quota on a roomy disk', () => {
    expect(storageWarning({ storedBytes: 900 * GB, maxStoreBytes: null, disk: roomy })).toBeNull();
    expect(storageWarning({ storedBytes: 1, maxStoreBytes: null, disk: null })).toBeNull();
  });

  it('warns from 90 % of the quota on, and says when the store is over it', () => {
    expect(storageWarning({ storedBytes: 8.9 * GB, maxStoreBytes: 10 * GB, disk: roomy })).toBeNull();
    expect(storageWarning({ storedBytes: 9 * GB, maxStoreBytes: 10 * GB, disk: roomy })).toBe(
      'Store near its limit: 9.0 GB of 10 GB',
    );
    expect(storageWarning({ storedBytes: 11 * GB, maxStoreBytes: 10 * GB, disk: roomy })).toBe(
      'Store over its limit: 11 GB of 10 GB',
    );
  });

  it('warns when the disk is nearly full: under 5 % free, or under 1 GB on a small disk', () => {
    expect(
      storageWarning({ storedBytes: 0, maxStoreBytes: null, disk: { freeBytes: 40 * GB, totalBytes: 1000 * GB } }),
    ).toBe('Disk nearly full: 40 GB free');
    expect(
      storageWarning({ storedBytes: 0, maxStoreBytes: null, disk: { freeBytes: 60 * GB, totalBytes: 1000 * GB } }),
    ).toBeNull();
    expect(
      storageWarning({ storedBytes: 0, maxStoreBytes: null, disk: { freeBytes: 0.5 * GB, totalBytes: 8 * GB } }),
    ).toBe('Disk nearly full: 512 MB free');
  });

  it('names both problems at once', () => {
    const both = storageWarning({
      storedBytes: 10 * GB,
      maxStoreBytes: 10 * GB,
      disk: { freeBytes: 0, totalBytes: GB * 100 },
    });
    expect(both).toBe('Store near its limit: 10 GB of 10 GB; Disk nearly full: 0 B free');
  });
});
