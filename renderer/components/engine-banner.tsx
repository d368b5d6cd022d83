import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useConnection } from '../hooks/use-connection';
import { ErrorMessage } from './error-message';
import { MessageText } from './message-text';

/** Says when the Docker Engine cannot be reached, and offers Retry; snapshots stay browsable meanwhile. */
export function EngineBanner() {
  const client = useClient();
  const queryClient = useQueryClient();
  const { state } = useConnection();
  const status = useQuery({ queryKey: queryKeys.engine, queryFn: () => client.engineStatus({}) });
  const retry = () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.engine });
    void queryClient.invalidateQueries({ queryKey: queryKeys.workloads });
  };
  // Without the server, nothing is known about the engine: the connection banner says so instead.
  if (state.status !== 'connected') return null;
  if (status.data?.ok !== false && !status.error) return null;
  return (
    <section className="banner" aria-label="Docker Engine status">
      {status.data && (
        <p role="alert">
          <strong>Docker Engine unavailable.</strong> <MessageText text={status.data.message ?? ''} /> Snapshots already
          taken can still be browsed, compared with each other and deleted.
        </p>
      )}
      <ErrorMessage error={status.error} />
      <button type="button" onClick={retry} disabled={status.isFetching}>
        {status.isFetching ? 'Retrying…' : 'Retry'}
      </button>
    </section>
  );
}
