import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_BIN, ensureCliBuilt, runCliSync } from '../../../test/cli';
import { describeEngine, tempDir } from '../../../test/engine';
import { bundleOfVolumes, forgedVolume, plainEntries } from '../../services/bundle/bundle-forge.test-util';
import type { Snapshot } from '../../../shared/types';

/**
 * An import killed (SIGKILL) at each of its steps leaves nothing the next start does not clean:
 * before the snapshot's row exists, no snapshot, no archives, no temporary area; after, the
 * snapshot is whole and only the temporary area is left, which the sweep removes. A sweep by
 * another process while an import is between moving its archives and recording them keeps them.
 */
describeEngine('volsnap import survives a crash at any step', () => {
  const dir = tempDir('volsnap-import-crash-');
  const bundle = path.join(dir.path, 'forged.volsnap');

  beforeAll(async () => {
    ensureCliBuilt();
    writeFileSync(bundle, bundleOfVolumes([await forgedVolume('data', plainEntries('data'))]));
  });
  afterAll(() => dir.remove());

  const listing = (p: string) => (existsSync(p) ? readdirSync(p) : []);

  it.each([
    ['import-checked', false],
    ['import-moved', false],
    ['import-recorded', true],
  ] as const)('after a crash at %s, the next start leaves a whole snapshot or none', (step, kept) => {
    const store = path.join(dir.path, step);
    const run = spawnSync('node', [CLI_BIN, '--data-dir', store, 'import', bundle], {
      encoding: 'utf8',
      env: { ...process.env, VOLSNAP_CRASH_AT: step },
    });
    expect(run.signal, run.stderr).toBe('SIGKILL');
    expect(listing(path.join(store, 'incoming')).length).toBe(1); // the dead import's area
    if (step === 'import-moved') expect(listing(path.join(store, 'archives')).length).toBe(1); // no row yet

    const recover = runCliSync(store, ['recover']);
    expect(recover.code, recover.stderr).toBe(0);
    expect(listing(path.join(store, 'incoming'))).toEqual([]);
    const snapshots = JSON.parse(runCliSync(store, ['list', '--json']).stdout) as Snapshot[];
    expect(snapshots.map((s) => s.status)).toEqual(kept ? ['ready'] : []);
    expect(listing(path.join(store, 'archives')).length).toBe(kept ? 1 : 0);
    if (kept) expect(runCliSync(store, ['verify', snapshots[0]!.id]).code).toBe(0);
  });

  it("keeps a live import's archives when another process sweeps meanwhile", async () => {
    const store = path.join(dir.path, 'live');
    const stall = path.join(dir.path, 'stall');
    const child = spawn('node', [CLI_BIN, '--data-dir', store, '--json', 'import', bundle], {
      env: { ...process.env, VOLSNAP_STALL_AT: 'import-moved', VOLSNAP_STALL_FILE: stall },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!existsSync(stall)) await sleep(100);
    // The import is stalled with archives/<id> in place and no row: a sweep now must not take them.
    expect(runCliSync(store, ['recover']).code).toBe(0);
    expect(listing(path.join(store, 'archives')).length).toBe(1);
    rmSync(stall);
    expect(await exited).toBe(0);
    const snapshot = JSON.parse(stdout) as Snapshot;
    expect(runCliSync(store, ['verify', snapshot.id]).code).toBe(0);
  });
});
