import { useQuery } from '@tanstack/react-query';
import { ErrorMessage } from './error-message';
import { StorageSnapshotsTable, StorageWorkloadsTable } from './storage-tables';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { humanBytes } from '../format';
import type { StoreUsage } from '../../shared/usage-types';

/**
 * How much the store holds and what deleting would free (issue 18, `volsnap usage` in the app):
 * totals with what deduplication saves, the limit and the disk as meters, then per workload and
 * per snapshot. Refreshed with the snapshot lists (its query key sits under theirs).
 */
export function StorageScreen() {
  const client = useClient();
  // Fresh on every visit: the disk's free space changes with everything else on it.
  const usage = useQuery({ queryKey: queryKeys.storeUsage, queryFn: () => client.storeUsage({}), staleTime: 0 });
  return (
    <section aria-labelledby="storage-title" className="screen storage-screen">
      <header className="screen-header">
        <h1 id="storage-title">Storage</h1>
      </header>
      <ErrorMessage error={usage.error} />
      {usage.data && <StorageSummary usage={usage.data} />}
      {usage.data && (
        <>
          <h2>By workload</h2>
          <StorageWorkloadsTable usage={usage.data} />
          <h2>By snapshot</h2>
          <StorageSnapshotsTable usage={usage.data} />
        </>
      )}
    </section>
  );
}

function StorageSummary({ usage }: { usage: StoreUsage }) {
  const { disk } = usage;
  return (
    <>
      {usage.warning && (
        <p className="warning" role="status">
          {usage.warning}
        </p>
      )}
      <dl className="storage-figures">
        <Figure label="Stored on disk" value={humanBytes(usage.storedBytes)} />
        <Figure label="Without deduplication" value={humanBytes(usage.aloneBytes)} />
        <Figure label="Deduplication saves" value={humanBytes(usage.savedBytes)} />
        <Figure label="Disk free" value={disk ? humanBytes(disk.freeBytes) : 'unknown'} />
      </dl>
      {usage.maxStoreBytes !== null ? (
        <Meter
          label="Store limit"
          used={usage.storedBytes}
          total={usage.maxStoreBytes}
          text={`${humanBytes(usage.storedBytes)} of ${humanBytes(usage.maxStoreBytes)} limit`}
        />
      ) : (
        <p className="muted">
          No store size limit. Set one in Settings (or <code>volsnap config set maxStoreBytes 50GB</code>): after each
          capture the oldest unpinned snapshots are then pruned to stay under it.
        </p>
      )}
      {disk && (
        <Meter
          label="Disk"
          used={disk.totalBytes - disk.freeBytes}
          total={disk.totalBytes}
          text={`${humanBytes(disk.totalBytes - disk.freeBytes)} used of ${humanBytes(disk.totalBytes)}`}
        />
      )}
      {usage.reserveBytes > 0 && (
        <p className="muted storage-reserve">
          {humanBytes(usage.reserveBytes)} of the disk is kept in reserve, so snapshots can still be deleted and
          exported when the disk is full.
        </p>
      )}
      <p className="muted storage-data-dir">
        Store: <code>{usage.dataDir}</code>
      </p>
    </>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="storage-figure">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** A labelled bar; amber from 90 % on, like the tray's warning. */
function Meter({ label, used, total, text }: { label: string; used: number; total: number; text: string }) {
  const ratio = total > 0 ? Math.min(1, used / total) : 0;
  return (
    <div className="storage-meter">
      <span className="storage-meter-label">{label}</span>
      <meter min={0} max={total} value={Math.min(used, total)} high={total * 0.9} optimum={0} aria-label={label}>
        {Math.round(ratio * 100)}%
      </meter>
      <span>{text}</span>
    </div>
  );
}
