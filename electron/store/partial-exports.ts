import type { Db } from './db';
import { HOST, pidAlive } from './liveness';

/**
 * The only owner of the `partial_exports` table: an export to a file notes its temporary file
 * before creating it and forgets it once renamed or removed; the start-up sweep removes those
 * whose process died.
 */
export class PartialExports {
  constructor(private readonly db: Db) {}

  note(file: string): void {
    this.db
      .prepare(`INSERT OR REPLACE INTO partial_exports (path, pid, host) VALUES (?, ?, ?)`)
      .run(file, process.pid, HOST);
  }

  forget(file: string): void {
    this.db.prepare(`DELETE FROM partial_exports WHERE path = ?`).run(file);
  }

  /** Temporary files of this machine's exports whose process is gone (another host's: we cannot tell). */
  dead(): string[] {
    const rows = this.db.prepare(`SELECT path, pid FROM partial_exports WHERE host = ?`).all(HOST) as {
      path: string;
      pid: number;
    }[];
    return rows.filter((r) => !pidAlive(r.pid)).map((r) => r.path);
  }
}
