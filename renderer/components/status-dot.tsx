/** Every state a workload can be in, as the sidebar and the overview show it. */
export type WorkloadState = 'running' | 'partial' | 'stopped' | 'stored' | 'removed';

const LABELS: Record<WorkloadState, string> = {
  running: 'running',
  partial: 'partly running',
  stopped: 'stopped',
  stored: 'only in the store (engine not reachable)',
  removed: 'removed: its containers are gone, its snapshots stay in the store',
};

/** A coloured dot with its state as text for screen readers (colour is never the only cue: shapes differ too). */
export function StatusDot({ state }: { state: WorkloadState }) {
  return (
    <span className={`status-dot dot-${state}`} title={LABELS[state]}>
      <span className="visually-hidden">{LABELS[state]}</span>
    </span>
  );
}
