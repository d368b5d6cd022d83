// Benchmarks the snapshot ↔ snapshot diff (issue 4): two synthetic snapshots of 100,000 manifest
// entries each, a few % changed, written straight into a temp catalog through Catalog; then times
// DiffService.diff itself and, separately, the whole `volsnap --json diff` process.
// Run by scripts/bench.mjs (BENCH_DATA_DIR: a temp dir it owns) or on its own: node scripts/bench-diff.mjs
// The headline number is the first call in a fresh process (no warm statement cache).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRIES = 100_000;
const TARGET_MS = 500;
const RUNS = 5;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the services this bench calls; inside node_modules so their own dependencies resolve. */
async function loadServices() {
  const outfile = path.join(repo, 'node_modules', '.cache', 'volsnap-bench', 'diff-services.cjs');
  await build({
    stdin: {
      contents: `export { openDb } from './electron/store/db';
        export { Catalog } from './electron/store/catalog';
        export { createServices } from './electron/services';`,
      resolveDir: repo,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}

/** A manifest shaped like a source tree: 200 directories of 500 small files. */
function manifest(variant) {
  const entries = [
    { path: '.', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0, sha256: null, linkTarget: null },
  ];
  for (let d = 0; d < ENTRIES / 500; d++)
    entries.push({
      path: `src/d${d}`,
      type: 'dir',
      size: 0,
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: 0,
      sha256: null,
      linkTarget: null,
    });
  for (let i = 0; entries.length < ENTRIES; i++) {
    // In B: 1% removed, 1% added (new names), 1% rewritten, 0.5% chmod-ed: 3.5% in all.
    if (variant === 'b' && i % 100 === 7) continue;
    const name = variant === 'b' && i % 100 === 11 ? `src/d${i % 200}/new${i}.txt` : `src/d${i % 200}/file${i}.txt`;
    const rewritten = variant === 'b' && i % 100 === 13;
    entries.push({
      path: name,
      type: 'file',
      size: 2000 + (i % 1000) + (rewritten ? 17 : 0),
      mode: variant === 'b' && i % 200 === 19 ? 0o600 : 0o644,
      uid: 1000,
      gid: 1000,
      mtime: 1_700_000_000 + i,
      sha256: `${rewritten ? 'f' : '0'}${i.toString(16).padStart(63, '0')}`,
      linkTarget: null,
    });
  }
  return entries;
}

function insertSnapshot(catalog, id, name, entries) {
  catalog.insertCapturing({
    id,
    name,
    note: 'synthetic (bench-diff)',
    workloadId: 'container:volsnap-bench-synthetic',
    workloadName: 'volsnap-bench-synthetic',
    createdAt: new Date().toISOString(),
    trigger: 'cli',
    mode: 'live',
    expiresAt: null,
    provenance: { engineVersion: 'n/a', engineHost: 'n/a', containers: [], mounts: [] },
  });
  const volume = {
    volumeName: 'synthetic',
    owner: 'volsnap-bench-synthetic',
    mountDestination: '/data',
    position: 0,
    archiveFile: '0-synthetic.tar.zst',
    format: 1,
    sizeBytes: entries.reduce((t, e) => t + e.size, 0),
    storedBytes: 0,
    fileCount: entries.filter((e) => e.type === 'file').length,
    sha256: '0'.repeat(64),
  };
  catalog.insertManifest(id, 0, entries);
  catalog.markReady(id, [volume]);
}

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (list) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)];

async function main() {
  const parent = process.env.BENCH_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'volsnap-bench-diff-'));
  const dataDir = path.join(parent, `diff-bench-${process.pid}`);
  mkdirSync(dataDir, { recursive: true });
  try {
    const { openDb, Catalog, createServices } = await loadServices();
    const db = openDb(dataDir);
    const catalog = new Catalog(db);
    insertSnapshot(catalog, 'a000000000000001', 'bench-diff-a', manifest('a'));
    insertSnapshot(catalog, 'b000000000000002', 'bench-diff-b', manifest('b'));
    db.close();

    console.log(`Diff (two snapshots of ${ENTRIES.toLocaleString('en')} manifest entries, ~3.5% changed):`);
    // A fresh process's services, as the app or the CLI would hold them.
    const services = createServices({ dataDir });
    const times = [];
    let result;
    for (let run = 0; run < RUNS; run++) {
      const start = process.hrtime.bigint();
      result = await services.diff.diff({ snapshot: 'bench-diff-a', against: 'bench-diff-b' });
      times.push(ms(start));
    }
    services.close();
    const s = result.summary;
    console.log(`  found ${s.added} added, ${s.removed} removed, ${s.modified} modified`);
    console.log(
      `  DiffService.diff: first ${times[0].toFixed(0)} ms, median of ${RUNS} ${median(times).toFixed(0)} ms`,
    );

    const cli = path.join(repo, 'dist', 'cli.cjs');
    if (existsSync(cli)) {
      const start = process.hrtime.bigint();
      execFileSync(
        'node',
        [
          path.join(repo, 'bin', 'volsnap.cjs'),
          '--data-dir',
          dataDir,
          '--json',
          'diff',
          'bench-diff-a',
          '--against',
          'bench-diff-b',
        ],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      console.log(`  whole CLI process (node start, open catalog, diff, JSON out): ${ms(start).toFixed(0)} ms`);
    } else {
      console.log('  (dist/cli.cjs not built: run `npm run build` to time the whole CLI too)');
    }
    console.log(`\n  diff 100k↔100k: ${times[0].toFixed(0)} ms (target < ${TARGET_MS})\n`);
  } finally {
    // BENCH_KEEP=1 keeps the synthetic catalog for profiling (its path is printed).
    if (process.env.BENCH_KEEP === '1') console.log(`  kept ${dataDir}`);
    else rmSync(process.env.BENCH_DATA_DIR ? dataDir : parent, { recursive: true, force: true });
  }
}

await main();
