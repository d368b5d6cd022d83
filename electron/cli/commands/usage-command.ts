import { defineCommand } from '../command';
import { humanBytes, humanTime, table } from '../format';
import type { StoreUsage } from '../../../shared/usage-types';

/** `volsnap usage`: the store's size, what deduplication saves, and what deleting each thing frees. */
export const usageCommand = defineCommand<StoreUsage>({
  name: 'usage',
  usage: 'volsnap usage',
  summary: 'Show store size, deduplication savings, what deleting each snapshot frees, and free disk',
  positionals: { min: 0, max: 0 },
  mutating: false,
  run: (ctx) => ctx.services().usage.report(),
  human: (u) => [summary(u), workloadsTable(u), snapshotsTable(u)].filter((part) => part !== '').join('\n\n'),
});

function summary(u: StoreUsage): string {
  const lines = [
    ['Store', u.dataDir],
    ['Stored', `${humanBytes(u.storedBytes)} on disk`],
    ['Without dedup', `${humanBytes(u.aloneBytes)} (deduplication saves ${humanBytes(u.savedBytes)})`],
    [
      'Limit',
      u.maxStoreBytes === null
        ? 'none (volsnap config set maxStoreBytes 50GB sets one)'
        : `${humanBytes(u.maxStoreBytes)} (oldest unpinned snapshots are pruned after each capture)`,
    ],
    ['Disk', u.disk === null ? 'unknown' : `${humanBytes(u.disk.freeBytes)} free of ${humanBytes(u.disk.totalBytes)}`],
    [
      'Reserve',
      u.reserveBytes > 0
        ? `${humanBytes(u.reserveBytes)} kept so snapshots can be deleted and exported on a full disk`
        : 'none yet (made once the store outgrows it, with room on the disk)',
    ],
  ];
  if (u.warning !== null) lines.push(['Warning', u.warning]);
  return lines.map(([label, value]) => `${label!.padEnd(14)}${value}`).join('\n');
}

function workloadsTable(u: StoreUsage): string {
  if (u.workloads.length === 0) return 'No snapshots yet.';
  return table(
    ['WORKLOAD', 'SNAPSHOTS', 'ALONE', 'DELETING ALL FREES'],
    u.workloads.map((w) => [
      w.workloadName,
      String(w.snapshotCount),
      humanBytes(w.aloneBytes),
      humanBytes(w.freesBytes),
    ]),
  );
}

function snapshotsTable(u: StoreUsage): string {
  if (u.snapshots.length === 0) return '';
  return table(
    ['SNAPSHOT', 'WORKLOAD', 'CREATED', 'ALONE', 'DELETING FREES'],
    u.snapshots.map((s) => [
      s.pinned ? `${s.name} (pinned)` : s.status === 'ready' ? s.name : `${s.name} (${s.status})`,
      s.workloadName,
      humanTime(s.createdAt),
      humanBytes(s.aloneBytes),
      humanBytes(s.freesBytes),
    ]),
  );
}
