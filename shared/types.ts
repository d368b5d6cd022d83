/** Our own DTOs: what the services return and every host passes on. Never Docker's shapes. */

export type WorkloadKind = 'compose' | 'container';
/** The capture modes, in the order they are offered; the one source for the type and the schemas. */
export const CAPTURE_MODES = ['live', 'pause', 'stop'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];
export type Trigger = 'manual' | 'tray' | 'pre-restore' | 'schedule' | 'cli';
export type SnapshotStatus = 'capturing' | 'ready' | 'failed';

export interface ContainerInfo {
  id: string;
  name: string;
  /** Compose service, or null for a standalone container. */
  service: string | null;
  state: string;
  image: string;
  imageId: string;
  /** Registry digest of the image (`name@sha256:…`) when it was pulled; null for local builds. */
  imageDigest: string | null;
  imagePresent: boolean;
  restartPolicy: string;
  /** Compose services this one depends on (from compose labels), for start order. */
  dependsOn: string[];
}

export interface VolumeMount {
  containerName: string;
  destination: string;
  readOnly: boolean;
}

export interface WorkloadVolume {
  name: string;
  driver: string;
  anonymous: boolean;
  mounts: VolumeMount[];
}

export interface BindMount {
  containerName: string;
  source: string;
  destination: string;
  /** Bind mounts are shown so the user knows they exist, and never captured. */
  capturable: false;
}

export interface Workload {
  /** `compose:<project>` or `container:<name>`. */
  id: string;
  name: string;
  kind: WorkloadKind;
  /** running: all containers run; partial: some; stopped: none. */
  status: 'running' | 'partial' | 'stopped';
  containers: ContainerInfo[];
  volumes: WorkloadVolume[];
  bindMounts: BindMount[];
  /** All containers exist and their images are present locally: can be restored. */
  imageBased: boolean;
  lastSnapshotAt: string | null;
  snapshotBytes: number;
}

export interface SnapshotVolume {
  volumeName: string;
  /** Compose service or container name whose mount this volume was captured through. */
  owner: string;
  mountDestination: string;
  /** Bytes of file content in the volume. */
  sizeBytes: number;
  /** Bytes of the compressed archive on disk. */
  storedBytes: number;
  fileCount: number;
  /** sha256 of the stored archive file. */
  sha256: string;
}

export interface Provenance {
  engineVersion: string;
  engineHost: string;
  containers: {
    name: string;
    service: string | null;
    image: string;
    imageId: string;
    imageDigest: string | null;
    state: string;
  }[];
  mounts: { volumeName: string; containerName: string; destination: string }[];
}

export interface Snapshot {
  id: string;
  name: string;
  note: string;
  workloadId: string;
  workloadName: string;
  createdAt: string;
  trigger: Trigger;
  mode: CaptureMode;
  status: SnapshotStatus;
  failureReason: string | null;
  pinned: boolean;
  expiresAt: string | null;
  sizeBytes: number;
  storedBytes: number;
  fileCount: number;
  volumes: SnapshotVolume[];
  provenance: Provenance | null;
  /**
   * Whether restore may write device nodes, FIFOs, setuid/setgid files and names with control
   * characters. `allowed` for what this store captured itself; imported snapshots record the choice.
   */
  specialFiles: SpecialFiles;
  /** The engine it was captured on (`docker info` ID) and that engine's name; null before engines were recorded. */
  engineId: string | null;
  engineName: string | null;
}

export type SpecialFiles = 'allowed' | 'refused';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** One row of a snapshot's per-file manifest; `path` is relative to the volume root. */
export interface ManifestEntry {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  sha256: string | null;
  linkTarget: string | null;
}

export interface VerifyReport {
  snapshotId: string;
  ok: boolean;
  volumes: { volumeName: string; ok: boolean; problem: string | null }[];
}

export type JobKind = 'capture' | 'restore' | 'diff';
export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  jobId: string;
  phase: string;
  bytesDone: number;
  bytesTotal: number | null;
  filesDone: number;
  /** 0..1 when known. */
  ratio: number | null;
}

export interface Job {
  id: string;
  kind: JobKind;
  workloadId: string;
  snapshotId: string | null;
  status: JobStatus;
  phase: string;
  startedAt: string;
  finishedAt: string | null;
  error: { kind: string; message: string } | null;
  progress: JobProgress | null;
  /** What a finished job produced, for the UI's result view. */
  result: JobResult | null;
}

export interface JobResult {
  snapshotId?: string;
  safetySnapshotId?: string | null;
  downtimeMs?: number;
  swapWindowMs?: number;
  deleteMs?: number;
  /** A restore's containers that were removed meanwhile and not started. */
  containersGone?: string[];
}

export interface PruneResult {
  deleted: { id: string; name: string; reason: string }[];
}
