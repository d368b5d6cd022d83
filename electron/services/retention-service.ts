import type { SnapshotService } from './snapshot-service';
import type { SettingsStore } from '../store/settings-store';
import { VolsnapError } from '../../shared/errors';
import { humanBytes } from '../../shared/format';
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

/**
 * The snapshots the store quota may delete, in the order it deletes them (oldest first): the same
 * exclusions as the rules above (pinned, in use, capturing), and never a workload's newest ready
 * snapshot, so every workload keeps one restore point whatever the limit.
 */
export function quotaCandidates(snapshots: Snapshot[], inUse: ReadonlySet<string> = new Set()): Snapshot[] {
  const newest = new Map<string, Snapshot>();
  for (const s of snapshots) {
    if (s.status !== 'ready') continue;
    const current = newest.get(s.workloadId);
    if (!current || s.createdAt > current.createdAt) newest.set(s.workloadId, s);
  }
  return snapshots
    .filter((s) => !s.pinned && s.status !== 'capturing' && !inUse.has(s.id) && newest.get(s.workloadId) !== s)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** What the quota step needs to know of the store's size (StoreUsageService). */
export interface QuotaUsage {
  quotaBytes(): number;
  wouldFree(snapshotId: string): number;
}

export interface RetentionOptions {
  now?: () => number;
  /** The store's size: without it `maxStoreBytes` is not applied. */
  usage?: QuotaUsage;
  /** Runs once after a prune that deleted something (garbage collection of chunks no snapshot uses). */
  afterPrune?: () => Promise<void>;
}

/** Applies retention per workload and then the store quota, after each capture and on `volsnap prune`. */
export class RetentionService {
  private readonly now: () => number;

  constructor(
    private readonly snapshots: SnapshotService,
    private readonly settings: SettingsStore,
    private readonly options: RetentionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Rules (keep-last, max age, expiry) for one workload or all, then `maxStoreBytes` over the whole
   * store: a capture of any workload may make room by pruning another's oldest snapshots.
   */
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
    deleted.push(...(await this.applyQuota()));
    if (deleted.length > 0) await this.options.afterPrune?.();
    return { deleted };
  }

  /**
   * Deletes the oldest candidates until the store's estimated size is under `maxStoreBytes`. Each
   * snapshot's would-free is read just before its delete, so chunks it shared only with snapshots
   * deleted before it count as freed; the chunks themselves go at `afterPrune` (gc).
   */
  private async applyQuota(): Promise<PruneResult['deleted']> {
    const max = this.settings.get('maxStoreBytes');
    const usage = this.options.usage;
    if (max === null || !usage) return [];
    let estimate = usage.quotaBytes();
    const deleted: PruneResult['deleted'] = [];
    if (estimate <= max) return deleted;
    for (const snapshot of quotaCandidates(this.snapshots.list(), this.snapshots.inUse())) {
      if (estimate <= max) break;
      const frees = usage.wouldFree(snapshot.id);
      if (!(await this.removeUnlessInUse(snapshot))) continue;
      estimate -= frees;
      deleted.push({ id: snapshot.id, name: snapshot.name, reason: `store over its ${humanBytes(max)} limit` });
    }
    return deleted;
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
