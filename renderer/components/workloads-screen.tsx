import { useQuery } from '@tanstack/react-query';
import { Camera, Container, History } from 'lucide-react';
import { useState, type KeyboardEvent } from 'react';
import { CaptureDialog } from './capture-dialog';
import { ContextMenu, type MenuAction } from './context-menu';
import { EmptyState } from './empty-state';
import { ErrorMessage } from './error-message';
import { StatusDot } from './status-dot';
import { StoredWorkloads } from './stored-workloads';
import type { WorkloadRef } from './view';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useNow } from '../hooks/use-now';
import { humanAge, humanBytes } from '../format';
import { VolsnapError } from '../../shared/errors';
import type { Workload } from '../../shared/types';

/** Every workload on the engine at a glance: status, containers, volumes, stored size, last snapshot, capture. */
export function WorkloadsScreen({ onOpen }: { onOpen: (workload: WorkloadRef) => void }) {
  const client = useClient();
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  const [capturing, setCapturing] = useState<Workload | null>(null);
  const [menu, setMenu] = useState<{ workload: Workload; at: { x: number; y: number } } | null>(null);
  const now = useNow(10_000);
  const engineDown = isEngineDown(workloads.error);
  return (
    <section aria-labelledby="workloads-title" className="screen">
      <header className="screen-header">
        <h1 id="workloads-title">All workloads</h1>
      </header>
      {/* An unreachable engine is already explained (with Retry) by the banner above. */}
      {!engineDown && <ErrorMessage error={workloads.error} />}
      {engineDown && <StoredWorkloads onOpen={onOpen} />}
      {workloads.data?.length === 0 && (
        <EmptyState icon={Container} title="No containers on this engine yet.">
          <p>
            Start a container or a Compose project with a named volume (for example <code>docker compose up -d</code>);
            it appears here and in the sidebar, ready to capture.
          </p>
        </EmptyState>
      )}
      {workloads.data && workloads.data.length > 0 && (
        <WorkloadsTable
          workloads={workloads.data}
          now={now}
          onOpen={onOpen}
          onCapture={setCapturing}
          onMenu={(workload, at) => setMenu({ workload, at })}
        />
      )}
      {menu && (
        <ContextMenu
          label={`Actions for ${menu.workload.name}`}
          at={menu.at}
          actions={workloadActions(menu.workload)}
          onRun={(id) => (id === 'open' ? onOpen(menu.workload) : setCapturing(menu.workload))}
          onClose={() => setMenu(null)}
        />
      )}
      {capturing && <CaptureDialog workload={capturing} onClose={() => setCapturing(null)} />}
    </section>
  );
}

/**
 * One row per workload. The table never scrolls sideways: its columns have fixed shares of the
 * pane and long names are cut with an ellipsis (the whole text in the tooltip); in a narrow pane
 * the Containers and Volumes columns give way to a count under the name (styles: `.workloads-table`).
 */
function WorkloadsTable(props: {
  workloads: Workload[];
  now: number;
  onOpen: (workload: WorkloadRef) => void;
  onCapture: (workload: Workload) => void;
  /** The row's context menu: right-click, or Shift+F10 / the menu key on the workload's name. */
  onMenu: (workload: Workload, at: { x: number; y: number }) => void;
}) {
  const { now, onOpen, onCapture, onMenu } = props;
  const menuKey = (w: Workload) => (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== 'ContextMenu' && !(event.key === 'F10' && event.shiftKey)) return;
    event.preventDefault();
    const box = event.currentTarget.getBoundingClientRect();
    onMenu(w, { x: box.left, y: box.bottom });
  };
  return (
    <table className="data-table workloads-table">
      <thead>
        <tr>
          <th scope="col" className="col-name">
            Workload
          </th>
          <th scope="col" className="col-status">
            Status
          </th>
          <th scope="col" className="col-list wide-only">
            Containers
          </th>
          <th scope="col" className="col-list wide-only">
            Volumes
          </th>
          <th scope="col" className="col-stored">
            Stored
          </th>
          <th scope="col" className="col-last">
            Last snapshot
          </th>
          <th scope="col" className="col-actions">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.workloads.map((w) => {
          const containers = w.containers.map((c) => c.name).join(', ');
          const volumes = w.volumes.map((v) => v.name).join(', ') || '–';
          return (
            <tr
              key={w.id}
              data-workload={w.id}
              onContextMenu={(event) => {
                event.preventDefault();
                onMenu(w, { x: event.clientX, y: event.clientY });
              }}
            >
              <th scope="row">
                <button
                  type="button"
                  className="link cut"
                  title={w.name}
                  onClick={() => onOpen(w)}
                  onKeyDown={menuKey(w)}
                >
                  {w.name}
                </button>
                <span className="muted cut" title={`Containers: ${containers}\nVolumes: ${volumes}`}>
                  {w.kind}
                  <span className="narrow-only"> · {counts(w)}</span>
                </span>
              </th>
              <td>
                <span className="status-cell">
                  <StatusDot state={w.status} />
                  {w.status}
                </span>
              </td>
              <td className="wide-only">
                <span className="cut" title={containers}>
                  {containers}
                </span>
              </td>
              <td className="wide-only">
                <span className="cut" title={volumes}>
                  {volumes}
                </span>
              </td>
              <td>{humanBytes(w.snapshotBytes)}</td>
              <td>{humanAge(w.lastSnapshotAt, now)}</td>
              <td>
                <button
                  type="button"
                  onClick={() => onCapture(w)}
                  disabled={w.volumes.length === 0}
                  aria-label={`Capture ${w.name}`}
                  title={w.volumes.length === 0 ? 'No named volume to capture' : `Capture ${w.name}`}
                >
                  <Camera aria-hidden size={15} /> <span className="button-words">Capture…</span>
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

type WorkloadActionId = 'open' | 'capture';

/** A workload row's context menu. */
function workloadActions(w: Workload): MenuAction<WorkloadActionId>[] {
  return [
    { id: 'open', label: 'Open snapshots', icon: History, disabled: false },
    { id: 'capture', label: 'Capture…', icon: Camera, tone: 'primary', disabled: w.volumes.length === 0 },
  ];
}

/** "2 containers, 1 volume": what the hidden columns held, in a narrow pane. */
function counts(w: Workload): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(w.containers.length, 'container')}, ${plural(w.volumes.length, 'volume')}`;
}

function isEngineDown(error: unknown): boolean {
  return error instanceof VolsnapError && error.kind === 'EngineUnavailable';
}
