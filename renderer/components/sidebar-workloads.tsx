import { useQuery } from '@tanstack/react-query';
import { ScheduleBadge } from './schedule-badge';
import { StatusDot, type WorkloadState } from './status-dot';
import type { WorkloadRef } from './view';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useNow } from '../hooks/use-now';
import { useSchedules } from '../hooks/use-schedules';
import { humanAge, humanBytes } from '../format';
import type { Snapshot } from '../../shared/types';

interface Entry {
  workload: WorkloadRef;
  state: WorkloadState;
  lastAt: string | null;
  storedBytes: number;
}

/**
 * The workloads on the engine with their state, last snapshot age and stored size, and a badge
 * when one is captured on a schedule (a warning when its last scheduled capture failed). While the engine
 * is unreachable, the workloads the catalog has snapshots of instead, so they stay browsable.
 */
export function SidebarWorkloads({
  selectedId,
  onOpen,
}: {
  selectedId: string | null;
  onOpen: (workload: WorkloadRef) => void;
}) {
  const entries = useEntries();
  const now = useNow(10_000);
  const schedules = useSchedules();
  if (!entries) return <p className="sidebar-empty muted">Loading workloads…</p>;
  if (entries.length === 0)
    return (
      <p className="sidebar-empty muted">No workloads yet. Start a container with a volume, and it shows up here.</p>
    );
  return (
    <ul className="sidebar-workloads">
      {entries.map(({ workload, state, lastAt, storedBytes }) => {
        const schedule = schedules.data?.find((s) => s.workloadId === workload.id);
        const badgeId = `schedule-badge-${workload.id}`;
        return (
          <li key={workload.id}>
            <button
              type="button"
              className="sidebar-item workload-item"
              aria-current={workload.id === selectedId ? 'page' : undefined}
              aria-label={`Open snapshots of ${workload.name}`}
              aria-describedby={schedule ? badgeId : undefined}
              data-sidebar-workload={workload.id}
              onClick={() => onOpen(workload)}
            >
              <StatusDot state={state} />
              <span className="workload-text">
                <span className="workload-name">{workload.name}</span>
                <span className="workload-meta">
                  {state === 'removed' && 'removed · '}
                  {lastAt ? humanAge(lastAt, now) : 'no snapshots'}
                  {storedBytes > 0 && ` · ${humanBytes(storedBytes)}`}
                </span>
              </span>
              {schedule && <ScheduleBadge schedule={schedule} now={now} id={badgeId} />}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function useEntries(): Entry[] | null {
  const client = useClient();
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  // Any failure to list the engine's workloads (unreachable, another engine picked, …) falls back
  // to the catalog, so what was captured stays one click away.
  const engineDown = workloads.isError;
  const stored = useQuery({
    queryKey: queryKeys.snapshotsAll,
    queryFn: () => client.listSnapshots({}),
    enabled: engineDown || workloads.isSuccess,
  });
  if (engineDown) return stored.data ? group(stored.data) : stored.isError ? [] : null;
  if (!workloads.data) return null;
  const live: Entry[] = workloads.data.map((w) => ({
    workload: w,
    state: w.status,
    lastAt: w.lastSnapshotAt,
    storedBytes: w.snapshotBytes,
  }));
  // A workload whose containers are gone stays listed while it has snapshots, marked removed.
  const liveIds = new Set(live.map((e) => e.workload.id));
  const removed = group(stored.data ?? [])
    .filter((e) => !liveIds.has(e.workload.id))
    .map((e) => ({ ...e, state: 'removed' as const }));
  return [...live, ...removed];
}

function group(snapshots: Snapshot[]): Entry[] {
  const byId = new Map<string, Entry>();
  for (const s of snapshots) {
    const entry = byId.get(s.workloadId) ?? {
      workload: { id: s.workloadId, name: s.workloadName },
      state: 'stored' as const,
      lastAt: s.createdAt,
      storedBytes: 0,
    };
    entry.storedBytes += s.storedBytes;
    if (entry.lastAt === null || s.createdAt > entry.lastAt) entry.lastAt = s.createdAt;
    byId.set(s.workloadId, entry);
  }
  return [...byId.values()].sort((a, b) => a.workload.name.localeCompare(b.workload.name));
}
