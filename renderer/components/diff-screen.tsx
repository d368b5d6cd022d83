import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { DiffEntries } from './diff-entries';
import { orderSides, type DiffSides, type SelectedFile } from './diff-sides';
import { DiffSummaryTable } from './diff-summary-table';
import { ErrorMessage } from './error-message';
import { FileDiffView } from './file-diff-view';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { humanDate } from '../format';
import type { Snapshot } from '../../shared/types';

/** What changed between a snapshot and the live volumes (default) or another snapshot. */
export function DiffScreen({ snapshot, onBack }: { snapshot: Snapshot; onBack: () => void }) {
  const client = useClient();
  const [against, setAgainst] = useState('current');
  const [file, setFile] = useState<SelectedFile | null>(null);
  const others = useQuery({
    queryKey: queryKeys.snapshots(snapshot.workloadId),
    queryFn: () => client.listSnapshots({ workloadId: snapshot.workloadId }),
  });
  const other = others.data?.find((s) => s.id === against);
  const sides = orderSides(snapshot, against === 'current' ? 'current' : other);
  const fromId = sides.from.id;
  const toId = sides.to === 'current' ? 'current' : sides.to.id;
  const diff = useQuery({
    queryKey: queryKeys.diff(fromId, toId),
    queryFn: () => client.diffSnapshot({ snapshot: fromId, against: toId }),
    staleTime: 0,
    enabled: against === 'current' || other !== undefined,
  });
  return (
    <section aria-labelledby="diff-title" className="screen diff-screen">
      <div className="screen-header">
        <button type="button" className="link" onClick={onBack}>
          ← Snapshots
        </button>
        <h1 id="diff-title">{title(sides)}</h1>
      </div>
      <label className="inline">
        Compare with
        <select
          value={against}
          onChange={(e) => {
            setAgainst(e.target.value);
            setFile(null);
          }}
        >
          <option value="current">Current volumes</option>
          {others.data
            ?.filter((s) => s.id !== snapshot.id && s.status === 'ready')
            .map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.createdAt < snapshot.createdAt ? 'older' : 'newer'})
              </option>
            ))}
        </select>
      </label>
      {diff.isFetching && <p role="status">Comparing…</p>}
      <ErrorMessage error={diff.error} />
      {diff.data && (
        <>
          <DiffSummaryTable diff={diff.data} sides={sides} />
          <DiffEntries diff={diff.data} onOpen={setFile} selected={file} />
        </>
      )}
      {file && <FileDiffView snapshot={fromId} against={toId} file={file} />}
    </section>
  );
}

function title({ from, to }: DiffSides): string {
  if (to === 'current') return `Changes since ${from.name}`;
  return `Changes from ${from.name} (${humanDate(from.createdAt)}) to ${to.name} (${humanDate(to.createdAt)})`;
}
