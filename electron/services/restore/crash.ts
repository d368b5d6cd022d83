import { existsSync, writeFileSync } from 'node:fs';

/**
 * Test-only crash switch: `VOLSNAP_CRASH_AT=<step>[:<n>]` kills this process with SIGKILL right
 * after the n-th journal row for `step` is written (n defaults to 1). `rename:<n>` instead makes
 * the swap helper stop after its n-th rename and this process die when it sees that.
 */
const seen = new Map<string, number>();

function parse(env: NodeJS.ProcessEnv): { step: string; nth: number } | null {
  const spec = env.VOLSNAP_CRASH_AT;
  if (!spec) return null;
  const [step, nth] = spec.split(':');
  return { step: step ?? '', nth: nth === undefined ? 1 : Number(nth) };
}

/** Dies here when the crash switch names this step (and this is its n-th occurrence). */
export function crashPoint(step: string, env: NodeJS.ProcessEnv = process.env): void {
  stallPoint(step, env);
  const spec = parse(env);
  if (spec?.step !== step) return;
  const count = (seen.get(step) ?? 0) + 1;
  seen.set(step, count);
  if (count === spec.nth) crashNow();
}

/** How many renames the swap helper may do before stopping (0: no limit). */
export function renameLimit(env: NodeJS.ProcessEnv = process.env): number {
  const spec = parse(env);
  return spec?.step === 'rename' && spec.nth > 0 ? spec.nth : 0;
}

export function crashNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is delivered before this line runs; the throw only satisfies the type checker.
  throw new Error('unreachable: SIGKILL did not stop the process');
}

/**
 * Test-only stall switch: `VOLSNAP_STALL_AT=<step>` with `VOLSNAP_STALL_FILE=<path>` creates that
 * file right after the step's journal row and blocks until a test removes it (at most a minute),
 * so the test can do something at that exact moment (stop the Engine, say).
 */
function stallPoint(step: string, env: NodeJS.ProcessEnv): void {
  const file = env.VOLSNAP_STALL_FILE;
  if (env.VOLSNAP_STALL_AT !== step || !file) return;
  writeFileSync(file, String(process.pid));
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; existsSync(file) && waited < 60_000; waited += 50) Atomics.wait(tick, 0, 0, 50);
}
