import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { diskFullError, isDiskFullError } from './disk-full';
import { VolsnapError } from '../../shared/errors';

export type Db = Database.Database;

/**
 * Versioned migrations: index i moves the schema from version i to i + 1. Append only; never
 * edit a migration that has shipped. Exported for the tests that build a catalog as an earlier
 * release left it.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    workload_id TEXT NOT NULL,
    workload_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    trigger TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    pinned INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT,
    provenance TEXT
  );
  CREATE INDEX snapshots_by_workload ON snapshots (workload_id, created_at);
  CREATE TABLE snapshot_volumes (
    snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    volume_name TEXT NOT NULL,
    owner TEXT NOT NULL,
    mount_destination TEXT NOT NULL,
    archive_file TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    stored_bytes INTEGER NOT NULL,
    file_count INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, position)
  );
  CREATE TABLE manifest_entries (
    snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    path TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    mode INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    gid INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    sha256 TEXT,
    link_target TEXT,
    PRIMARY KEY (snapshot_id, position, path)
  ) WITHOUT ROWID;
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    workload_id TEXT NOT NULL,
    snapshot_id TEXT,
    status TEXT NOT NULL,
    phase TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error_kind TEXT,
    error_message TEXT,
    result TEXT,
    pid INTEGER NOT NULL DEFAULT 0,
    host TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX jobs_by_start ON jobs (started_at);
  CREATE TABLE leases (
    workload_id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    job_kind TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  CREATE TABLE quiesced (
    job_id TEXT NOT NULL,
    container_id TEXT NOT NULL,
    action TEXT NOT NULL,
    PRIMARY KEY (job_id, container_id)
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 1: the restore journal (electron/services/restore/journal.ts). Every step is a row written
  // before the step acts, so recovery knows whether a swap had begun.
  `
  CREATE TABLE restore_journal (
    job_id TEXT PRIMARY KEY,
    workload_id TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    plan TEXT NOT NULL,
    outcome TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX restore_journal_open ON restore_journal (outcome, workload_id);
  CREATE TABLE restore_steps (
    job_id TEXT NOT NULL REFERENCES restore_journal (job_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    step TEXT NOT NULL,
    detail TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
  );
  `,
  // 2: read leases on snapshots (electron/store/snapshot-leases.ts): jobs reading a snapshot hold
  // it, so retention and delete (kind `delete`, exclusive) leave it alone.
  `
  CREATE TABLE snapshot_leases (
    snapshot_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    job_kind TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, job_id)
  );
  `,
  // 3: whether restore may write special files (devices, FIFOs, setuid/setgid, control characters
  // in names): 'allowed' for snapshots this store captured; imported ones record the user's choice.
  `
  ALTER TABLE snapshots ADD COLUMN special_files TEXT NOT NULL DEFAULT 'allowed';
  `,
  // 4: the engine each snapshot came from (electron/store/engine-registry.ts). Older rows keep NULL:
  // they show under every engine until a capture of their workload on one engine adopts them.
  // \`engines\` remembers endpoint → engine id, so lists know the engine while it is down.
  `
  ALTER TABLE snapshots ADD COLUMN engine_id TEXT;
  ALTER TABLE snapshots ADD COLUMN engine_name TEXT;
  CREATE TABLE engines (
    endpoint TEXT PRIMARY KEY,
    engine_id TEXT NOT NULL,
    name TEXT NOT NULL,
    seen_at TEXT NOT NULL
  );
  `,
  // 5: a running job's latest progress (electron/services/jobs.ts saves it about once a second), so
  // other processes (the app showing a CLI's capture) can draw its bar.
  `
  ALTER TABLE jobs ADD COLUMN progress TEXT;
  `,
  // 6: how each captured volume was made (driver, driver options, labels: electron/store/volume-specs.ts),
  // so restore can make a removed volume again the way \`docker compose up\` adopts it.
  `
  CREATE TABLE snapshot_volume_specs (
    snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    volume_name TEXT NOT NULL,
    driver TEXT NOT NULL,
    options TEXT NOT NULL,
    labels TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, volume_name)
  );
  `,
  // Schedules (electron/store/schedules-table.ts): one per engine and workload, with the slot last
  // claimed, so the app's scheduler and a `run-due` from cron never capture the same slot twice.
  `
  CREATE TABLE schedules (
    engine_id TEXT NOT NULL,
    workload_id TEXT NOT NULL,
    workload_name TEXT NOT NULL,
    every_seconds INTEGER,
    daily_at TEXT,
    created_at INTEGER NOT NULL,
    last_slot TEXT,
    last_run_at INTEGER,
    last_outcome TEXT,
    last_error TEXT,
    last_snapshot_id TEXT,
    PRIMARY KEY (engine_id, workload_id)
  );
  `,
  // Store format v2 (issue 18, electron/store/chunks/chunk-index.ts): content-addressed chunks in
  // pack files. A pack row and its chunk rows commit together, after the pack file is durable.
  `
  CREATE TABLE chunk_packs (
    id TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE chunks (
    hash BLOB PRIMARY KEY,
    pack_id TEXT NOT NULL REFERENCES chunk_packs (id),
    offset INTEGER NOT NULL,
    stored_length INTEGER NOT NULL,
    raw_length INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX chunks_by_pack ON chunks (pack_id);
  `,
  // Store format v2, wired in (issue 18): a volume's `format` says how its archive_file is kept (1: a
  // zstd tar; 2: a tar layout whose file contents are chunks), and snapshot_chunks lists the distinct
  // chunks each snapshot uses, committed with the snapshot, so garbage collection and "what deleting
  // this frees" are queries.
  `
  ALTER TABLE snapshot_volumes ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
  CREATE TABLE snapshot_chunks (
    snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    hash BLOB NOT NULL,
    PRIMARY KEY (snapshot_id, hash)
  ) WITHOUT ROWID;
  CREATE INDEX snapshot_chunks_by_hash ON snapshot_chunks (hash);
  `,
  // What a format 2 capture added to the store (its new chunk frames), so a snapshot's "stored"
  // figure is not its layout file alone; NULL for every earlier row (and format 1).
  `
  ALTER TABLE snapshot_volumes ADD COLUMN added_bytes INTEGER;
  `,
  // An export's temporary file beside its output, noted before it is created: a process killed
  // mid-export leaves hundreds of MB outside the store, which the next start removes.
  `
  CREATE TABLE partial_exports (
    path TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL
  );
  `,
  // A snapshot's chunks as one sorted list of 32-byte hashes (store/chunks/sorted-hashes.ts)
  // instead of a row per chunk: 32 bytes a chunk where a row and its index by hash took about 125,
  // so an unchanged re-capture adds about a quarter of what it did, and a capture no longer
  // writes into an index that grows with every snapshot. Existing rows are folded in order.
  `
  CREATE TABLE snapshot_chunk_lists (
    snapshot_id TEXT PRIMARY KEY REFERENCES snapshots (id) ON DELETE CASCADE,
    hashes BLOB NOT NULL
  );
  INSERT INTO snapshot_chunk_lists (snapshot_id, hashes)
    SELECT snapshot_id, CAST(group_concat(hash, x'' ORDER BY hash) AS BLOB) FROM snapshot_chunks GROUP BY snapshot_id;
  DROP TABLE snapshot_chunks;
  `,
  // What the capture's helper listed of a volume before reading it (docker/volume-listing.ts): a
  // later capture whose listing is the same reuses this volume instead of reading it again. NULL
  // where nothing was listed (every earlier row, a helper image that cannot list).
  `
  ALTER TABLE snapshot_volumes ADD COLUMN listing TEXT;
  `,
];

/** Opens (creating if needed) the catalog in `dataDir` and brings its schema up to date. */
export function openDb(dataDir: string): Db {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new VolsnapError(
      'InvalidInput',
      `Cannot create the data directory ${dataDir}: ${(error as Error).message}. Choose a writable folder with --data-dir or VOLSNAP_DATA_DIR.`,
    );
  }
  const file = path.join(dataDir, 'volsnap.db');
  for (let attempt = 1; ; attempt++) {
    const db = openFile(file);
    try {
      // The app and the CLI share this file; wait for the other's write transaction instead of failing.
      // Set first: switching a new file to WAL and migrating it both wait on other openers.
      db.pragma('busy_timeout = 10000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return db;
    } catch (error) {
      db.close();
      // Two processes switching a brand-new file to WAL at once can deadlock on its rollback-journal
      // locks; SQLite then answers SQLITE_BUSY at once, without waiting on the busy timeout. Opening
      // again a moment later finds the file in WAL mode (or migrated) by the other process.
      if (isBusy(error) && attempt < OPEN_ATTEMPTS) {
        sleepSync(25 * attempt);
        continue;
      }
      if (!isDiskFullError(error, dataDir)) throw error;
      return openOnFullDisk(file, dataDir);
    }
  }
}

/** Up to about 10 s of retries (25 ms, 50 ms, … between them) for a catalog another process is creating. */
const OPEN_ATTEMPTS = 28;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Opening the catalog is synchronous (better-sqlite3), so the pause between attempts is too. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A full disk: SQLite cannot create or grow the WAL's shared-memory file (-shm), so even reads
 * fail with `disk I/O error`. In exclusive locking mode it keeps the WAL index in this process's
 * memory instead and reads the catalog, committed WAL frames included, without writing a byte.
 * The connection is query-only: read-only commands work, writes fail and are reported as a full
 * disk (explainDiskFull). An exclusive lock keeps other processes out meanwhile, which is fine for
 * the short read-only commands this is for.
 */
function openOnFullDisk(file: string, dataDir: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('query_only = ON');
    // A catalog that still needs a migration cannot be brought up to date without writing.
    if (schemaVersion(db) === MIGRATIONS.length) return db;
  } catch (error) {
    db?.close();
    if (error instanceof VolsnapError) throw error;
    // Unreadable as well: report the full disk, the cause the user can act on.
    throw diskFullError(dataDir);
  }
  db.close();
  throw diskFullError(dataDir);
}

function openFile(file: string): Db {
  try {
    return new Database(file);
  } catch (error) {
    // `npm start` rebuilds the native module for Electron; the Node CLI then cannot load it.
    if (/NODE_MODULE_VERSION/.test((error as Error).message)) {
      throw new VolsnapError(
        'Internal',
        'better-sqlite3 is built for another runtime (Electron, after npm start or npm run dist). Run `npm rebuild better-sqlite3` to use the CLI with Node.',
      );
    }
    throw error;
  }
}

/**
 * Brings the schema up to date. Several processes may open a new data dir at once (the app, a
 * CLI in a script, the web host): the version is read again inside a `BEGIN IMMEDIATE`
 * transaction, so only one of them migrates and the others, after waiting on the busy timeout,
 * find the work done. All pending migrations commit together or not at all.
 */
function migrate(db: Db): void {
  // Fast path without a write lock: an up-to-date catalog opens even where nothing can be written.
  if (schemaVersion(db) === MIGRATIONS.length) return;
  db.transaction(() => {
    const current = schemaVersion(db);
    for (let version = current; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]!);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function schemaVersion(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new VolsnapError(
      'Unsupported',
      `The catalog was written by a newer Volsnap (schema ${current}); this one knows up to ${MIGRATIONS.length}. Update Volsnap.`,
    );
  }
  return current;
}
