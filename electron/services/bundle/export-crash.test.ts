import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withStoreDb } from '../../../test/store-db';
import { CLI_BIN, ensureCliBuilt, runCliSync } from '../../../test/cli';
import {
  createWorkload,
  describeEngine,
  tempDir,
  testDocker,
  uniqueName,
  type TestWorkload,
} from '../../../test/engine';
import type { Snapshot } from '../../../shared/types';

/**
 * An export to a file killed at any step: its temporary file (hundreds of MB, hidden beside the
 * chosen output, outside the store) is gone after the next start, and a bundle already renamed
 * into place stays whole.
 */
describeEngine('an export killed at every step leaves nothing behind after the next start', () => {
  const docker = testDocker();
  const dir = tempDir('volsnap-export-crash-');
  const volume = uniqueName('excrash');
  const store = path.join(dir.path, 'store');
  let workload: TestWorkload;
  let snapshot: Snapshot;

  beforeAll(async () => {
    ensureCliBuilt();
    workload = await createWorkload(docker, {
      services: [{ name: uniqueName('app'), volumes: [{ volume, destination: '/data' }] }],
      seed: `cd /seed/${volume} && dd if=/dev/urandom of=big bs=1M count=3 2>/dev/null && echo hello > small`,
    });
    const captured = runCliSync(store, ['capture', workload.name, '--mode', 'live', '--json']);
    expect(captured.code, captured.stderr).toBe(0);
    snapshot = JSON.parse(captured.stdout) as Snapshot;
  });
  afterAll(async () => {
    await workload?.remove();
    dir.remove();
  });

  const partialRows = () =>
    withStoreDb(store, (db) => db.prepare('SELECT count(*) FROM partial_exports').pluck().get());

  it.each([
    ['export-partial-noted', [], []],
    ['export-written', [/^\.out\.volsnap\.[0-9a-f]{8}\.partial$/], []],
    ['export-renamed', [/^out\.volsnap$/], [/^out\.volsnap$/]],
  ] as const)('killed at %s', (step, leftByTheKill, keptAfterStart) => {
    const out = path.join(dir.path, step);
    mkdirSync(out);
    const run = spawnSync(
      'node',
      [CLI_BIN, '--data-dir', store, 'export', snapshot.id, '-o', path.join(out, 'out.volsnap')],
      {
        encoding: 'utf8',
        env: { ...process.env, VOLSNAP_CRASH_AT: step },
      },
    );
    expect(run.signal, `export should die at ${step}: ${run.stderr}`).toBe('SIGKILL');
    const names = () => readdirSync(out);
    expect(names().map((n) => leftByTheKill.some((p) => p.test(n)))).toEqual(leftByTheKill.map(() => true));
    expect(partialRows()).toBe(1);

    const recovered = runCliSync(store, ['recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(names().map((n) => keptAfterStart.some((p) => p.test(n)))).toEqual(keptAfterStart.map(() => true));
    expect(partialRows()).toBe(0);
    if (keptAfterStart.length > 0) {
      // The renamed bundle is whole: it imports into another store.
      const imported = runCliSync(path.join(dir.path, `imported-${step}`), ['import', path.join(out, 'out.volsnap')]);
      expect(imported.code, imported.stderr).toBe(0);
    }
  });
});
