import type { Db } from './db';

/**
 * The queries a host polls to notice what other processes (the CLI) committed to the catalog, so
 * hosts never touch the database themselves (see host/events.ts).
 */
export class CatalogWatch {
  constructor(private readonly db: Db) {}

  /** Changes when another connection commits; our own writes leave it alone (SQLite's data_version). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Per workload, a print of its snapshot rows that changes with any listed field. */
  snapshotFingerprints(): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT workload_id AS id, count(*) || '|' || max(created_at) || '|' ||
           group_concat(id || status || pinned || name || note || ifnull(expires_at, ''), '|') AS print
         FROM snapshots GROUP BY workload_id`,
      )
      .all() as { id: string; print: string }[];
    return new Map(rows.map((r) => [r.id, r.print]));
  }
}
