import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Reports the main event loop's worst delay once per `intervalMs` as one JSON line (a debug aid
 * enabled by VOLSNAP_DEBUG_LOOP=1; the responsiveness e2e reads it). Returns the stop function.
 */
export function reportLoopDelay(write: (line: string) => void, intervalMs = 1_000): () => void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    write(
      `${JSON.stringify({ loopDelay: { maxMs: round(histogram.max / 1e6), p99Ms: round(histogram.percentile(99) / 1e6) } })}\n`,
    );
    histogram.reset();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
