import type { SnapshotService } from './snapshot-service';
import type { SettingsStore } from '../store/settings-store';
import { VolsnapError } from '../../shared/errors';
import type { PruneResult, Snapshot } from '../../shared/types';

const DAY_MS = 24 * 3600 * 1000;
/** Failed captures stay listed this long so the user can read why, then go. */
const FAILED_TTL_MS = 7 * DAY_MS;

/**
 * Decides which snapshots retention removes. Pinned snapshots and snapshots a job reads now
 * (`inUse`: a restore, diff or verify of any process) are never pruned and, like pins, do not
 * count toward keep-last; `pre-restore` safety snapshots live until their expiry and do not
 * count either.
 */
export function selectForPruning(
  snapshots: Snapshot[],
  policy: { keepLast: number; maxAgeDays: number | null },
  now: number,
  inUse: ReadonlySet<string> = new Set(),
): { snapshot: Snapshot; reason: string }[] {
  const chosen: { snapshot: Snapshot; reason: string }[] = [];
  const newestFirst = [...snapshots].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  let kept = 0;
  for (const s of newestFirst) {
    if (s.pinned || s.status === 'capturing' || inUse.has(s.id)) continue;
    const age = now - Date.parse(s.createdAt);
    if (s.status === 'failed') {
      if (age > FAILED_TTL_MS) chosen.push({ snapshot: s, reason: 'failed capture older than 7 days' });
      continue;
    }
    if (s.expiresAt !== null) {
      if (Date.parse(s.expiresAt) <= now) chosen.push({ snapshot: s, reason: 'expired' });
      continue;
    }
    if (policy.maxAgeDays !== null && age > policy.maxAgeDays * DAY_MS) {
      chosen.push({ snapshot: s, reason: `older than ${policy.maxAgeDays} days` });
      continue;
    }
    kept++;
    if (kept > policy.keepLast) chosen.push({ snapshot: s, reason: `beyond keep-last ${policy.keepLast}` });
  }
  return chosen;
}

/** Applies retention per workload, after each capture and on `volsnap prune`. */
export class RetentionService {
  constructor(
    private readonly snapshots: SnapshotService,
    private readonly settings: SettingsStore,
    private readonly now: () => number = Date.now,
  ) {}

  async prune(workloadId?: string): Promise<PruneResult> {
    const { keepLast, maxAgeDays } = this.settings.all();
    const all = this.snapshots.list(workloadId);
    const byWorkload = new Map<string, Snapshot[]>();
    for (const s of all) byWorkload.set(s.workloadId, [...(byWorkload.get(s.workloadId) ?? []), s]);
    const deleted: PruneResult['deleted'] = [];
    const inUse = this.snapshots.inUse();
    for (const group of byWorkload.values()) {
      for (const { snapshot, reason } of selectForPruning(group, { keepLast, maxAgeDays }, this.now(), inUse)) {
        if (await this.removeUnlessInUse(snapshot)) deleted.push({ id: snapshot.id, name: snapshot.name, reason });
      }
    }
    return { deleted };
  }

  /** A job may have started reading it since the list was read: it stays until the next prune. */
  private async removeUnlessInUse(snapshot: Snapshot): Promise<boolean> {
    try {
      await this.snapshots.remove(snapshot);
      return true;
    } catch (error) {
      if (error instanceof VolsnapError && error.kind === 'Conflict') return false;
      throw error;
    }
  }
}
