import { humanBytes } from './format';
import type { DiskSpace } from './usage-types';

/** The store is "near" its quota from this share of it on (the 10 %). */
export const QUOTA_WARN_RATIO = 0.9;
/** A disk is nearly full below this share free, or below `DISK_LOW_BYTES`, whichever is larger. */
export const DISK_LOW_RATIO = 0.05;
export const DISK_LOW_BYTES = 1024 ** 3;

/**
 * Why the tray and the Storage screen warn, as one line for a person, or null when all is well:
 * the store within 10 % of `maxStoreBytes` (or over it), the store's disk nearly full, or both.
 */
export function storageWarning(input: {
  storedBytes: number;
  maxStoreBytes: number | null;
  disk: DiskSpace | null;
}): string | null {
  const parts: string[] = [];
  const { storedBytes, maxStoreBytes, disk } = input;
  if (maxStoreBytes !== null && storedBytes >= maxStoreBytes * QUOTA_WARN_RATIO) {
    parts.push(
      storedBytes > maxStoreBytes
        ? `Store over its limit: ${humanBytes(storedBytes)} of ${humanBytes(maxStoreBytes)}`
        : `Store near its limit: ${humanBytes(storedBytes)} of ${humanBytes(maxStoreBytes)}`,
    );
  }
  if (disk !== null && disk.freeBytes < Math.max(disk.totalBytes * DISK_LOW_RATIO, DISK_LOW_BYTES)) {
    parts.push(`Disk nearly full: ${humanBytes(disk.freeBytes)} free`);
  }
  return parts.length === 0 ? null : parts.join('; ');
}
