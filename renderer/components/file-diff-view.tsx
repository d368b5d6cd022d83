import { useQuery } from '@tanstack/react-query';
import { ErrorMessage } from './error-message';
import type { SelectedFile } from './diff-sides';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { humanBytes } from '../format';

/** The content diff of one file: unified text diff, or sizes and hashes for binary files. */
export function FileDiffView({ snapshot, against, file }: { snapshot: string; against: string; file: SelectedFile }) {
  const client = useClient();
  const input = { snapshot, against, volume: file.volume, path: file.path };
  const diff = useQuery({ queryKey: queryKeys.fileDiff(input), queryFn: () => client.diffFile(input), staleTime: 0 });
  return (
    <section className="file-diff" aria-label={`Content diff of ${file.path}`}>
      <h2>
        {file.volume}: {file.path}
      </h2>
      {diff.isPending && <p role="status">Loading…</p>}
      <ErrorMessage error={diff.error} />
      {diff.data?.kind === 'same' && <p>The contents are the same.</p>}
      {diff.data?.kind === 'binary' && (
        <p>
          Binary file: {humanBytes(diff.data.before?.size)} → {humanBytes(diff.data.after?.size)}
        </p>
      )}
      {diff.data?.kind === 'text' && (
        <pre className="unified" tabIndex={0} aria-label="Unified diff">
          {diff.data.unified.split('\n').map((line, i) => (
            <span key={i} className={lineClass(line)}>
              {line}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </section>
  );
}

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return 'meta';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'plus';
  if (line.startsWith('-')) return 'minus';
  return '';
}
