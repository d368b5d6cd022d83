import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { DiffEntries } from './diff-entries';
import { DiffSummaryTable } from './diff-summary-table';
import { ErrorMessage } from './error-message';
import { FileDiffView } from './file-diff-view';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import type { Snapshot } from '../../shared/types';

export interface SelectedFile {
  volume: string;
  path: string;
}

/** What changed between a snapshot and the live volumes (default) or another snapshot. */
export function DiffScreen({ snapshot, onBack }: { snapshot: Snapshot; onBack: () => void }) {
  const client = useClient();
  const [against, setAgainst] = useState('current');
  const [file, setFile] = useState<SelectedFile | null>(null);
  const others = useQuery({
    queryKey: queryKeys.snapshots(snapshot.workloadId),
    queryFn: () => client.listSnapshots({ workloadId: snapshot.workloadId }),
  });
  const diff = useQuery({
    queryKey: queryKeys.diff(snapshot.id, against),
    queryFn: () => client.diffSnapshot({ snapshot: snapshot.id, against }),
    staleTime: 0,
  });
  return (
    <section aria-labelledby="diff-title" className="diff-screen">
      <div className="screen-header">
        <button type="button" className="link" onClick={onBack}>
          ← Snapshots
        </button>
        <h1 id="diff-title">Changes since {snapshot.name}</h1>
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
                {s.name}
              </option>
            ))}
        </select>
      </label>
      {diff.isFetching && <p role="status">Comparing…</p>}
      <ErrorMessage error={diff.error} />
      {diff.data && (
        <>
          <DiffSummaryTable diff={diff.data} />
          <DiffEntries diff={diff.data} onOpen={setFile} selected={file} />
        </>
      )}
      {file && <FileDiffView snapshot={snapshot.id} against={against} file={file} />}
    </section>
  );
}
