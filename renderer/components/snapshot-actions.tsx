import type { SnapshotAction, SnapshotActionId } from './snapshot-action-list';

/** The selected snapshot's actions as a toolbar of icon buttons (primary restore, red delete). */
export function SnapshotActions({
  actions,
  onRun,
}: {
  actions: SnapshotAction[];
  onRun: (id: SnapshotActionId) => void;
}) {
  return (
    <div className="toolbar actions" role="toolbar" aria-label="Snapshot actions">
      {actions.map(({ id, label, icon: Icon, tone, disabled, shortcut }) => (
        <button
          key={id}
          type="button"
          className={`small ${tone ?? ''}`}
          disabled={disabled}
          title={shortcut ? `${label} (${shortcut})` : label}
          onClick={() => onRun(id)}
        >
          <Icon aria-hidden size={15} />
          {label}
        </button>
      ))}
    </div>
  );
}
