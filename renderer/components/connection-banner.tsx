import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useConnection } from '../hooks/use-connection';
import { useNow } from '../hooks/use-now';

/**
 * Says when the page has lost `volsnap serve` (not the engine: the server itself), counts down to
 * the next attempt, and refetches everything once the connection is back.
 */
export function ConnectionBanner() {
  const { state, retryNow } = useConnection();
  const queryClient = useQueryClient();
  const wasLost = useRef(false);
  const now = useNow(1_000);
  useEffect(() => {
    if (state.status === 'disconnected') wasLost.current = true;
    if (state.status === 'connected' && wasLost.current) {
      wasLost.current = false;
      // Events were missed while away: everything may have changed.
      void queryClient.invalidateQueries();
    }
  }, [state, queryClient]);
  if (state.status !== 'disconnected') return null;
  const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
  return (
    <section className="banner disconnected" aria-label="Connection to volsnap serve">
      <p role="alert">
        <strong>Disconnected from volsnap serve.</strong> The server that runs this page stopped or cannot be reached;
        what is shown may be out of date.{' '}
        {seconds > 0 ? `Reconnecting in ${seconds} s (attempt ${state.attempt}).` : 'Reconnecting…'}
      </p>
      <button type="button" onClick={retryNow}>
        Reconnect now
      </button>
    </section>
  );
}
