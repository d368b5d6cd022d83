// CLI start-up figures (issue 11 item 8), judged here rather than in a test (wall-clock thresholds
// fail on a loaded two-core CI machine): `volsnap --version` within 2× and `volsnap --json list` on
// an empty store within 3× of a bare `node -e 0`. The three run alternately, ROUNDS times, so a
// drift of the machine's speed hits each alike; the medians make the ratios.
// Needs dist/cli.cjs (`npm run build`); no Docker Engine: neither command talks to one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 21);
const dataDir = mkdtempSync(path.join(tmpdir(), 'volsnap-bench-cli-'));
// An unreachable engine: a command that talked to it would fail or hang here, not pass quietly.
const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/volsnap-bench-cli.sock' };
const bin = path.resolve('bin/volsnap.cjs');

const contenders = [
  { label: 'node -e 0 (the floor)', args: ['-e', '0'] },
  { label: 'volsnap --version', args: [bin, '--version'], target: 2 },
  { label: 'volsnap --json list (empty store)', args: [bin, '--data-dir', dataDir, '--json', 'list'], target: 3 },
];

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const times = contenders.map(() => []);
  for (const c of contenders) timeOnce(c.args); // warm the page cache for every file each one reads
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of contenders.entries()) times[i].push(timeOnce(c.args));
  }
  const floor = median(times[0]);
  console.log(`\nCLI start-up (median of ${ROUNDS} alternating runs, ${process.version}):`);
  for (const [i, c] of contenders.entries()) {
    const ms = median(times[i]);
    const ratio = ms / floor;
    const verdict = c.target === undefined ? '' : `(target ≤ ${c.target}×) ${ratio <= c.target ? 'ok' : 'MISSED'}`;
    console.log(`  ${c.label.padEnd(36)} ${ms.toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)}×  ${verdict}`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
