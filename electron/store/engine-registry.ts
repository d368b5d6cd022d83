import type { Db } from './db';

/** An engine as snapshots record it: the `docker info` ID, a name for people, where it was reached. */
export interface EngineIdentity {
  id: string;
  name: string;
  endpoint: string;
}

interface EngineRow {
  endpoint: string;
  engine_id: string;
  name: string;
}

/** Which engine each snapshot came from, and the last engine seen at each endpoint. */
export class EngineRegistry {
  constructor(private readonly db: Db) {}

  /**
   * Notes that `endpoint` answers as this engine (a reset Docker Desktop gets a new id). Every list
   * asks, so an engine already noted is not written again: a write is a commit that waits for the
   * disk (`synchronous = FULL`) on the host's main thread, and for any other process's write.
   */
  remember(engine: EngineIdentity): void {
    const known = this.lastKnown(engine.endpoint);
    if (known?.id === engine.id && known.name === engine.name) return;
    this.db
      .prepare(
        `INSERT INTO engines (endpoint, engine_id, name, seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET engine_id = excluded.engine_id, name = excluded.name, seen_at = excluded.seen_at`,
      )
      .run(engine.endpoint, engine.id, engine.name, new Date().toISOString());
  }

  /** The engine last seen at `endpoint`, for lists while it is down. */
  lastKnown(endpoint: string): EngineIdentity | undefined {
    const row = this.db.prepare(`SELECT * FROM engines WHERE endpoint = ?`).get(endpoint) as EngineRow | undefined;
    return row && { id: row.engine_id, name: row.name, endpoint: row.endpoint };
  }

  /**
   * Stamps a snapshot with its engine and adopts the workload's snapshots from before engines were
   * recorded: they were taken of this workload, and this engine is where it lives now.
   */
  stamp(snapshotId: string, workloadId: string, engine: EngineIdentity): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE snapshots SET engine_id = ?, engine_name = ?
           WHERE id = ? OR (workload_id = ? AND engine_id IS NULL)`,
        )
        .run(engine.id, engine.name, snapshotId, workloadId);
      this.remember(engine);
    })();
  }
}
