import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useEngineChoice, useEngineStatus } from './engine-picker';
import { ErrorMessage } from './error-message';
import { MessageText } from './message-text';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useConnection } from '../hooks/use-connection';

/**
 * Says which Docker Engine cannot be reached and why, offers the other engines that answer, and
 * notices by itself when the engine is back (then refetches everything); snapshots stay browsable
 * meanwhile. Also refetches everything when the host moved to another engine (`engine:changed`,
 * from a picker in another window or tab).
 */
export function EngineBanner() {
  const client = useClient();
  const queryClient = useQueryClient();
  const { state } = useConnection();
  const status = useEngineStatus();
  const down = state.status === 'connected' && status.data?.ok === false;
  const { engines, switchTo } = useEngineChoice(down);
  const wasDown = useRef(false);

  useEffect(() => client.on('engine:changed', () => void queryClient.invalidateQueries()), [client, queryClient]);
  useEffect(() => {
    if (status.data?.ok === false) wasDown.current = true;
    if (status.data?.ok === true && wasDown.current) {
      wasDown.current = false;
      // Back: workloads, sizes and the engine's snapshots were unknown meanwhile.
      void queryClient.invalidateQueries();
    }
  }, [status.data, queryClient]);

  const retry = () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.engine });
    void queryClient.invalidateQueries({ queryKey: queryKeys.engines });
    void queryClient.invalidateQueries({ queryKey: queryKeys.workloads });
  };
  // Without the server, nothing is known about the engine: the connection banner says so instead.
  if (state.status !== 'connected') return null;
  if (status.data?.ok !== false && !status.error) return null;
  const others = (engines.data ?? []).filter((e) => !e.current && e.reachable);
  return (
    <section className="banner" aria-label="Docker Engine status">
      {status.data && (
        <p role="alert">
          <strong>Docker Engine unavailable: “{status.data.name}”.</strong>{' '}
          <MessageText text={status.data.message ?? ''} /> Snapshots already taken can still be browsed, compared with
          each other and deleted. Volsnap reconnects by itself when it is back.
        </p>
      )}
      <ErrorMessage error={status.error ?? switchTo.error} />
      {others.length > 0 && (
        <p className="engine-banner-others">
          Or use another engine:{' '}
          {others.map((engine) => (
            <button
              key={`${engine.name}\n${engine.endpoint}`}
              type="button"
              disabled={switchTo.isPending}
              onClick={() => switchTo.mutate(engine)}
              title={engine.endpoint}
            >
              Switch to {engine.name}
            </button>
          ))}
        </p>
      )}
      <button type="button" onClick={retry} disabled={status.isFetching}>
        {status.isFetching ? 'Retrying…' : 'Retry'}
      </button>
    </section>
  );
}
