import type { JobHandle } from '../services/jobs';
import type { Services } from '../services';
import type { JobProgress } from '../../shared/types';
import { humanBytes } from './format';
import { phaseText } from '../../shared/job-phase';

/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  update(p: JobProgress): void;
  done(): void;
} {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let drawn = false;
  return {
    update(p) {
      const ratio = p.ratio ?? (p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : null);
      const width = 24;
      const bar = ratio === null ? '' : `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] `;
      const bytes =
        p.bytesDone > 0 ? ` ${humanBytes(p.bytesDone)}${p.bytesTotal ? ` / ${humanBytes(p.bytesTotal)}` : ''}` : '';
      const files = p.filesDone > 0 ? `, ${p.filesDone} files` : '';
      stream.write(`\r\x1b[K${bar}${phaseText(p)}${bytes}${files}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/**
 * With VOLSNAP_TRACE set, one stderr line per phase, in ms since the process started: where the
 * time of a capture or restore goes (the benchmarks' breakdowns come from it).
 */
function phaseTracer(stream: NodeJS.WriteStream): { update(p: JobProgress): void; done(): void } {
  if (!process.env.VOLSNAP_TRACE) return { update: () => undefined, done: () => undefined };
  const line = (what: string) => stream.write(`${Math.round(performance.now())} ms ${what}\n`);
  let phase = '';
  return {
    update(p) {
      const text = phaseText(p);
      if (text !== phase) line((phase = text));
    },
    done: () => line('done'),
  };
}

/** Waits for a job with a progress bar on a TTY; Ctrl-C asks the job to cancel (where it still can). */
export async function followJob<T>(services: Services, handle: JobHandle<T>, stderr: NodeJS.WriteStream): Promise<T> {
  const bar = progressPrinter(stderr);
  const trace = phaseTracer(stderr);
  const warned = new Set<string>();
  const stop = services.jobs.progressEvents.on((p) => {
    if (p.jobId !== handle.jobId) return;
    trace.update(p);
    // A warning (e.g. a tmpfs volume) stays on screen as its own line, terminal or not.
    const warning = p.phase === 'warning' && !p.within ? phaseText(p) : null;
    if (warning && !warned.has(warning)) {
      warned.add(warning);
      bar.done();
      stderr.write(`volsnap: ${warning}\n`);
    }
    bar.update(p);
  });
  const cancel = () => services.jobs.cancel(handle.jobId);
  process.once('SIGINT', cancel);
  try {
    const result = await handle.done;
    trace.done();
    return result;
  } finally {
    process.off('SIGINT', cancel);
    stop();
    bar.done();
  }
}
