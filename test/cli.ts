import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The built CLI, started as a user starts it (tests run what ships, not the sources). */
export const CLI_BIN = 'bin/volsnap.cjs';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Builds the CLI bundle when this checkout has none yet (a test run without `npm run build`). */
export function ensureCliBuilt(): void {
  if (!existsSync('dist/cli.cjs')) spawnSync('node', ['scripts/build.mjs', 'node'], { stdio: 'inherit' });
}

/** Runs `volsnap --data-dir <dataDir> …args` to completion. */
export function runCliSync(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync('node', [CLI_BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
