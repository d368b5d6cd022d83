// UI responsiveness figures, judged here rather than in the e2e suite (wall-clock thresholds fail on
// a loaded two-core CI machine): runs e2e/responsiveness.spec.ts in Debian's Chromium with a 700 MB
// capture, then holds what it measured against the targets: the 10,000-snapshot list renders in
// < 200 ms, progress reaches the UI at least every 250 ms once bytes flow (the wait for the Engine's
// first byte is shown apart), and the main loop is never blocked > 100 ms.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const MB = process.env.VOLSNAP_E2E_BIG_MB ?? '700';
const files = ['e2e/artifacts/responsiveness-10k.json', 'e2e/artifacts/responsiveness-capture.json'];
for (const f of files) rmSync(f, { force: true });

console.log(`\nUI responsiveness (Playwright in Chromium, ${MB} MB capture):`);
try {
  execFileSync('npx', ['playwright', 'test', 'e2e/responsiveness.spec.ts', '--reporter=line'], {
    env: { ...process.env, VOLSNAP_E2E_BIG_MB: MB },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
} catch {
  console.log('  the responsiveness spec failed: see `npx playwright test e2e/responsiveness.spec.ts`');
}
const missing = files.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.log(`  no figures (${missing.join(', ')} not written)`);
  process.exit(0);
}
const list = JSON.parse(readFileSync(files[0], 'utf8'));
const capture = JSON.parse(readFileSync(files[1], 'utf8'));
const row = (label, value, target, ok) =>
  console.log(`  ${label.padEnd(44)} ${String(value).padStart(9)}   (target ${target}) ${ok ? 'ok' : 'MISSED'}`);
row('10k list: render (snapshot-table-render)', `${list.renderMs.toFixed(0)} ms`, '< 200 ms', list.renderMs < 200);
row('10k list: click to rows visible', `${list.clickToRowsMs.toFixed(0)} ms`, 'shown only', true);
row('capture progress: phase start to first bytes', `${capture.firstProgressMs.toFixed(0)} ms`, 'shown only', true);
row(
  `capture progress: largest gap after (${capture.progressEvents} events)`,
  `${capture.maxGapMs.toFixed(0)} ms`,
  '≤ 250 ms',
  capture.maxGapMs <= 250,
);
row('capture progress: p99 gap', `${capture.p99GapMs.toFixed(0)} ms`, 'shown only', true);
row(
  `main loop: worst delay (${capture.loopSamples} samples)`,
  `${capture.maxLoopDelayMs.toFixed(0)} ms`,
  '≤ 100 ms',
  capture.maxLoopDelayMs <= 100,
);
