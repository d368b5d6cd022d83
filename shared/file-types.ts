import type { EntryType, Snapshot } from './types';

/** What the file browser, `volsnap ls` and the download routes see of a snapshot's files. */

/** One entry of a snapshot volume's manifest, as listed; `volume` is a whole volume (listed when none was chosen). */
export interface SnapshotFileEntry {
  volume: string;
  /** Relative to the volume root; `.` is the root. */
  path: string;
  /** The last part of the path (the volume name for `.`). */
  name: string;
  type: EntryType | 'volume';
  /** Bytes of a file; of a volume, its content bytes. */
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget: string | null;
}

export interface SnapshotFileListing {
  snapshotId: string;
  snapshotName: string;
  /** Null when the snapshot's volumes themselves are listed. */
  volume: string | null;
  /** The folder listed (`.` the volume root), or the search query's scope. */
  path: string;
  entries: SnapshotFileEntry[];
  /** More entries matched than were returned (a search is capped). */
  truncated: boolean;
}

/** A bounded look at one file: its text when it is small and text-like. */
export interface SnapshotFilePreview {
  volume: string;
  path: string;
  size: number;
  kind: 'text' | 'binary' | 'too-large' | 'not-a-file';
  text: string | null;
}

export interface ExtractResult {
  snapshotId: string;
  volume: string;
  to: string;
  paths: string[];
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  /** Entries not written (device nodes, FIFOs), with why. */
  skipped: { path: string; reason: string }[];
  ownersApplied: boolean;
}

/** The web host's download route: `?snapshot=&volume=&path=`; a file comes as itself, a folder as a .tar. */
export const DOWNLOAD_PATH = '/files/download';
/** The web host's upload route (POST, raw body): what importing a bundle sends its file to. */
export const UPLOAD_PATH = '/files/upload';

/** The web host's export route: `?snapshot=`; the snapshot's .volsnap bundle as a download. */
export const EXPORT_PATH = '/files/export';
/** The header an upload names its file with (URI-encoded): recorded as the imported snapshot's file name. */
export const UPLOAD_NAME_HEADER = 'x-volsnap-file-name';

/** The Export… download URL of a snapshot, relative to the page (the page's cookie carries the token). */
export function exportUrl(snapshotId: string): string {
  return `${EXPORT_PATH}?${new URLSearchParams({ snapshot: snapshotId }).toString()}`;
}

/** The download URL of one entry, relative to the page (the page's cookie carries the token). */
export function downloadUrl(ref: { snapshot: string; volume: string; path: string }): string {
  const query = new URLSearchParams({ snapshot: ref.snapshot, volume: ref.volume, path: ref.path });
  return `${DOWNLOAD_PATH}?${query.toString()}`;
}

/** Every snapshot in the store, whatever engine or workload it came from (the All snapshots view). */
export interface StoreSnapshots {
  snapshots: Snapshot[];
  /** The connected (or last known) engine's id: snapshots with another id are "other engine". */
  engineId: string | null;
}
