import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { ErrorMessage } from './error-message';

/** Says when the Docker Engine (or the host) cannot be reached, and offers Retry. */
export function EngineBanner() {
  const client = useClient();
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: queryKeys.engine, queryFn: () => client.engineStatus({}) });
  const retry = () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.engine });
    void queryClient.invalidateQueries({ queryKey: queryKeys.workloads });
  };
  if (status.data?.ok !== false && !status.error) return null;
  return (
    <section className="banner" aria-label="Docker Engine status">
      {status.data && (
        <p role="alert">
          <strong>Docker Engine unavailable.</strong> {status.data.message}
        </p>
      )}
      <ErrorMessage error={status.error} />
      <button type="button" onClick={retry} disabled={status.isFetching}>
        {status.isFetching ? 'Retrying…' : 'Retry'}
      </button>
    </section>
  );
}
