import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { VolsnapError } from '../../shared/errors';

export type Db = Database.Database;

/**
 * Versioned migrations: index i moves the schema from version i to i + 1. Append only; never
 * edit a migration that has shipped.
 */
const MIGRATIONS: string[] = [
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
  const db = openFile(path.join(dataDir, 'volsnap.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The app and the CLI share this file; wait for the other's write transaction instead of failing.
  db.pragma('busy_timeout = 10000');
  migrate(db);
  return db;
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

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new VolsnapError(
      'Unsupported',
      `The catalog was written by a newer Volsnap (schema ${current}); this one knows up to ${MIGRATIONS.length}. Update Volsnap.`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
