import type { ManifestEntry } from '../../../shared/types';
import { VolsnapError } from '../../../shared/errors';

/**
 * The `.volsnap` bundle: a plain tar whose first entry is `volsnap.json` (its schema in
 * bundle-doc.ts), followed by one `volumes/<position>-<volume>.tar.zst` entry per volume, in position order,
 * each the volume's stored archive byte for byte. Nothing else may appear. See docs/decisions.md.
 */
export const BUNDLE_FORMAT = 'volsnap-bundle';
export const BUNDLE_VERSION = 1;
export const BUNDLE_JSON = 'volsnap.json';

/** Bounds on what an import reads before it has checked anything (a hostile file must not exhaust memory). */
export const LIMITS = {
  /** volsnap.json is parsed in memory: about 4 million manifest entries fit. */
  jsonBytes: 512 * 1024 * 1024,
  volumes: 256,
  /** Linux's PATH_MAX less the volume's folder, and NAME_MAX per component. */
  pathBytes: 4000,
  nameBytes: 255,
  /** 16 TiB: a size beyond this is a forgery, not a volume. */
  streamBytes: 2 ** 44,
  /** Room left on the store's disk after an import. */
  freeSpaceMargin: 64 * 1024 * 1024,
} as const;

/**
 * Read size of a bundle being imported. Each read gets a fresh buffer; at 4 MiB every one is new
 * memory to map (a page fault per 4 KiB, in the kernel's time), where 1 MiB buffers are mostly reused.
 */
export const IMPORT_READ_CHUNK = 1024 * 1024;

/** What Docker accepts as a volume name (daemon/names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`). */
export const DOCKER_VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,199}$/;

/** The tar entry of a volume's stream inside a bundle. */
export function streamEntryName(position: number, volumeName: string): string {
  return `volumes/${position}-${volumeName}.tar.zst`;
}

/** Refuses names a restore could not create (ENAMETOOLONG half-way through a stage). */
export function assertNameFits(path: string): void {
  if (Buffer.byteLength(path) > LIMITS.pathBytes)
    throw refused(`${JSON.stringify(path.slice(0, 80))}… is longer than ${LIMITS.pathBytes} bytes`);
  const long = path.split('/').find((part) => Buffer.byteLength(part) > LIMITS.nameBytes);
  if (long !== undefined)
    throw refused(`${JSON.stringify(long.slice(0, 80))}… is a name longer than ${LIMITS.nameBytes} bytes`);
}

/**
 * The most tar bytes a volume's stream may decompress to: each entry's header, a PAX record for
 * its long names, and its padded data, plus the trailer. More is a decompression bomb.
 */
export function maxTarBytes(manifest: ManifestEntry[], rootName: string): number {
  let total = 1024 * 1024;
  for (const entry of manifest) {
    const names = Buffer.byteLength(entry.path) + Buffer.byteLength(entry.linkTarget ?? '') + rootName.length;
    total += 512 * 2 + Math.ceil((names * 2 + 512) / 512) * 512 + Math.ceil(entry.size / 512) * 512;
  }
  return total;
}

/** An import refusal: the file is not what it claims to be. */
export function refused(why: string): VolsnapError {
  return new VolsnapError('Integrity', `Refused to import: ${why}. Nothing was stored.`);
}
