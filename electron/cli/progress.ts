import type { JobProgress } from '../../shared/types';
import { humanBytes } from './format';

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
      stream.write(`\r\x1b[K${bar}${p.phase}${bytes}${files}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
