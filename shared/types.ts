/** Our own DTOs: what the services return and every host passes on. Never Docker's shapes. */
import type { ErrorData } from './errors';
import type { CloneResult, RecoveredRestoreResult, RestoreResult } from './restore-types';

/** `volume`: a named volume no container mounts and no compose project claims (issue 14). */
export type WorkloadKind = 'compose' | 'container' | 'volume';
/** The capture modes, in the order they are offered; the one source for the type and the schemas. */
export const CAPTURE_MODES = ['live', 'pause', 'stop'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];
export type Trigger = 'manual' | 'tray' | 'pre-restore' | 'schedule' | 'cli' | 'import' | 'pull';
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
  /** `compose:<project>`, `container:<name>` or `volume:<name>`. */
  id: string;
  name: string;
  kind: WorkloadKind;
  /** running: all containers run; partial: some; stopped: none. */
  status: 'running' | 'partial' | 'stopped';
  /** A compose project whose containers are all gone (after `compose down`): only its volumes remain. */
  removed?: boolean;
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
  /** Set on snapshots that came in through `volsnap import` (a bundle or another tool's archive). */
  imported?: ImportProvenance;
}

/** Where an imported snapshot came from. */
export interface ImportProvenance {
  /** `bundle` (a .volsnap file) or the foreign archive's format. */
  source: 'bundle' | 'tar' | 'tar.gz' | 'tar.zst' | 'tar.bz2' | 'registry';
  /** Set by `volsnap pull`: the image it came from (fileName is then the reference, fileSha256 the digest's hex). */
  image?: { reference: string; digest: string | null };
  /** sha256 of the imported file's bytes, as read. */
  fileSha256: string;
  /** The file name, or `-` for standard input. */
  fileName: string;
  importedAt: string;
  /** The snapshot's id in the store it was exported from (bundles only). */
  originalSnapshotId: string | null;
  /** The engine it was captured on (bundles only, when recorded). */
  originEngine: { id: string | null; name: string | null } | null;
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
  /** Chunks (store format 2) that could not be read back, and what each loses across the store. */
  damagedChunks?: DamagedChunk[];
}

/** A missing or damaged chunk, with every snapshot in the store that uses it and the files it holds. */
export interface DamagedChunk {
  /** SHA-256 of the chunk's bytes (hex). */
  hash: string;
  /** What is wrong: no index row, pack missing, record cut short, or bytes that do not match the hash. */
  problem: string;
  /** Oldest first; `files` are those whose contents include the chunk. */
  snapshots: { snapshotId: string; snapshotName: string; files: { volumeName: string; path: string }[] }[];
}

/**
 * What each kind of job produces when it succeeds; the keys are the job kinds. To add a kind, add
 * one line here, `kind: ResultShape` (`Record<never, never>` when it produces nothing of its own):
 * `JobKind`, `JobResult` and `Job` follow, and the typecheck lists what else must learn the kind.
 */
export interface JobResults {
  capture: { snapshotId: string };
  restore: RestoreResult | RecoveredRestoreResult;
  diff: Record<never, never>;
  push: { snapshotId: string; reference: string; digest: string };
  pull: { snapshotId: string; reference: string; digest: string | null };
  clone: CloneResult;
  export: { snapshotId: string; file: string; sizeBytes: number; sha256: string };
  import: { snapshotId: string; snapshotName: string };
}
export type JobKind = keyof JobResults;
export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * What a running job is doing, as the code emits it; `phaseText` (shared/job-phase.ts) words it for
 * a person. To add a phase, add it here and its words there.
 */
export const JOB_PHASES = [
  'starting',
  'preparing',
  'warning',
  'pausing',
  'stopping',
  'capturing',
  'resuming',
  'comparing',
  'reading',
  'staging',
  'swapping',
  'removing-old',
  'starting-containers',
  'rolling-back',
  'pushing',
  'pulling',
  'exporting',
  'importing',
] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

export interface JobProgress {
  jobId: string;
  phase: JobPhase;
  /** The volume the phase works on, when it works on one (capturing, reading, staging). */
  volume?: string;
  /** Words the phase carries for a person: the helper image's pull, a retried start, a warning. */
  detail?: string;
  /** Set while a restore takes its safety snapshot: the phase is then that capture's. */
  within?: 'safety snapshot';
  bytesDone: number;
  bytesTotal: number | null;
  filesDone: number;
  /** 0..1 when known. */
  ratio: number | null;
}

interface JobFields {
  id: string;
  workloadId: string;
  snapshotId: string | null;
  status: JobStatus;
  phase: JobPhase;
  startedAt: string;
  finishedAt: string | null;
  error: ErrorData | null;
  progress: JobProgress | null;
}

/** What a finished job of kind K produced, tagged with its kind. */
export type JobResultOf<K extends JobKind> = { kind: K } & JobResults[K];
export type JobResult = { [K in JobKind]: JobResultOf<K> }[JobKind];
/** A job of kind K; `result` is what it produced once it succeeded, for the UI's result view. */
export type JobOf<K extends JobKind> = JobFields & { kind: K; result: JobResultOf<K> | null };
/** Any job: `job.kind` narrows its result. */
export type Job = { [K in JobKind]: JobOf<K> }[JobKind];

export interface PruneResult {
  deleted: { id: string; name: string; reason: string }[];
}
