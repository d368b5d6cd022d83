import { bothSidesDiff, changeLists } from './manifest-diff';
import type { Db } from '../../store/db';
import { ManifestJoin, type StoredSide } from '../../store/manifest-join';
import type { VolumeDiff } from '../../../shared/diff-types';

export type { StoredSide } from '../../store/manifest-join';

/** Compares two stored manifests: the join runs in SQLite (store/manifest-join.ts), the kinds here. */
export class StoredManifestDiff {
  private readonly join: ManifestJoin;

  constructor(db: Db) {
    this.join = new ManifestJoin(db);
  }

  /** The diff of one volume present in both snapshots. */
  volumeDiff(volumeName: string, before: StoredSide, after: StoredSide): VolumeDiff {
    return bothSidesDiff(volumeName, changeLists(this.join.differing(before, after)));
  }
}
