import type { Db } from './db';

/** How a captured volume was made: driver, driver options and labels, as the Engine reported them. */
export interface RecordedVolumeSpec {
  volumeName: string;
  driver: string;
  options: Record<string, string>;
  labels: Record<string, string>;
}

/**
 * The only owner of `snapshot_volume_specs`. Written at capture (snapshots captured before this
 * table existed have no rows: restore derives their labels from the workload instead).
 */
export class VolumeSpecs {
  constructor(private readonly db: Db) {}

  record(snapshotId: string, specs: RecordedVolumeSpec[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO snapshot_volume_specs (snapshot_id, volume_name, driver, options, labels)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const s of specs)
        insert.run(snapshotId, s.volumeName, s.driver, JSON.stringify(s.options), JSON.stringify(s.labels));
    })();
  }

  /** The recorded specs of a snapshot's volumes, by volume name. */
  of(snapshotId: string): Map<string, RecordedVolumeSpec> {
    const rows = this.db
      .prepare(`SELECT volume_name, driver, options, labels FROM snapshot_volume_specs WHERE snapshot_id = ?`)
      .all(snapshotId) as { volume_name: string; driver: string; options: string; labels: string }[];
    return new Map(
      rows.map((r) => [
        r.volume_name,
        {
          volumeName: r.volume_name,
          driver: r.driver,
          options: JSON.parse(r.options) as Record<string, string>,
          labels: JSON.parse(r.labels) as Record<string, string>,
        },
      ]),
    );
  }
}
