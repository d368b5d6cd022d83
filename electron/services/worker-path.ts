import { existsSync } from 'node:fs';
import path from 'node:path';
import { VolsnapError } from '../../shared/errors';

/**
 * Where a bundled worker script (`dist/<file>`, built by scripts/build.mjs) is: next to the bundle
 * that runs (dist/ for the CLI and the app; inside app.asar when packaged, which Electron's worker
 * threads load, else its app.asar.unpacked twin), or in dist/ when tests run from source.
 */
export function bundledWorkerPath(file: string): string {
  const beside = path.join(__dirname, file);
  const candidates = [
    beside,
    beside.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`),
    path.resolve(__dirname, '../../dist', file),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new VolsnapError(
      'Internal',
      `The worker ${file} is missing (looked in ${candidates.join(', ')}). Run npm run build.`,
    );
  }
  return found;
}
