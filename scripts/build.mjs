// Builds the main process, preload and CLI with esbuild, and the renderer with Vite.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { lazyExternals } from './lazy-externals.mjs';

const only = process.argv[2]; // "node" skips the renderer (for quick CLI builds)

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Native and dynamic dependencies stay in node_modules (and are unpacked from asar when packaged).
  packages: 'external',
  logLevel: 'warning',
};

await Promise.all([
  // The CLI loads its heavy packages on first use, so that `volsnap --version` or `list` start fast.
  build({ ...common, entryPoints: ['electron/cli/volsnap.ts'], outfile: 'dist/cli.cjs', plugins: [lazyExternals()] }),
  // Hashing and compression run in a worker thread (electron/services/volume-archiver.ts).
  build({ ...common, entryPoints: ['electron/services/archive-worker.ts'], outfile: 'dist/archive-worker.cjs' }),
  // An import's entry check (decompress, parse, hash) runs beside the stream's writing (check-thread.ts).
  build({
    ...common,
    entryPoints: ['electron/services/bundle/check-worker.ts'],
    outfile: 'dist/import-check-worker.cjs',
  }),
  build({
    ...common,
    entryPoints: ['electron/services/restore/stage-worker.ts'],
    outfile: 'dist/restore-stage-worker.cjs',
  }),
  // A push's layer (reading, checking and hashing the stored volumes) is made beside its upload (image-layer.ts).
  build({
    ...common,
    entryPoints: ['electron/services/bundle/stream-files-worker.ts'],
    outfile: 'dist/stream-files-worker.cjs',
  }),
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/main.cjs', external: ['electron'] }),
  // A sandboxed preload cannot require node_modules: bundle everything it uses, except electron.
  build({
    ...common,
    packages: undefined,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/preload.cjs',
    external: ['electron'],
  }),
]);
if (only !== 'node') await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
