import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../main';
import { seedUsageStore } from '../../store/store-usage.test-util';
import { tempDir } from '../../../test/engine';
import type { StoreUsage } from '../../../shared/usage-types';

/** Runs `volsnap …` in this process and captures what a terminal would show. */
async function volsnap(...args: string[]) {
  const out = { stdout: '', stderr: '' };
  const sink = (key: keyof typeof out) =>
    ({ write: (chunk: string) => ((out[key] += chunk), true) }) as unknown as NodeJS.WriteStream & { fd: 1 & 2 };
  const code = await runCli(args, { stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...out };
}

const KB = 1024;

describe('volsnap usage', () => {
  const data = tempDir('volsnap-usage-cli-');
  const store = () => path.join(data.path, 'store');
  beforeAll(() => seedUsageStore(store()));
  afterAll(() => data.remove());

  it('--json: totals, dedup savings, per workload and per snapshot what deleting frees, and the disk', async () => {
    const r = await volsnap('--data-dir', store(), '--json', 'usage');
    expect(r.code, r.stderr).toBe(0);
    const usage = JSON.parse(r.stdout) as StoreUsage;
    // On disk: four volume files (340 KB) and the pack (3200 KB).
    expect(usage.storedBytes).toBe(3540 * KB);
    // Alone: 300 + (10 + 2048) + (10 + 2048 + 100) + (20 + 1024) = 5560 KB.
    expect(usage.aloneBytes).toBe(5560 * KB);
    expect(usage.savedBytes).toBe(2020 * KB);
    expect(usage.maxStoreBytes).toBeNull();
    // Too small a store for the space reserve (store/space-reserve.ts).
    expect(usage.reserveBytes).toBe(0);
    expect(usage.disk?.totalBytes).toBeGreaterThan(0);
    const frees = Object.fromEntries(usage.snapshots.map((s) => [s.name, s.freesBytes]));
    expect(frees).toEqual({ 'web-1': 300 * KB, 'web-2': 10 * KB, 'web-3': 110 * KB, 'db-1': 1044 * KB });
    expect(usage.snapshots.map((s) => s.name)).toEqual(['db-1', 'web-3', 'web-2', 'web-1']);
    expect(usage.workloads).toEqual([
      {
        workloadId: 'compose:web',
        workloadName: 'web',
        snapshotCount: 3,
        aloneBytes: 4516 * KB,
        freesBytes: 2468 * KB,
      },
      { workloadId: 'compose:db', workloadName: 'db', snapshotCount: 1, aloneBytes: 1044 * KB, freesBytes: 1044 * KB },
    ]);
  });

  it('plain: a summary a person reads, then the workloads and snapshots with what deleting frees', async () => {
    const r = await volsnap('--data-dir', store(), 'usage');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Stored        3.5 MB on disk');
    expect(r.stdout).toContain('Without dedup 5.4 MB (deduplication saves 2.0 MB)');
    expect(r.stdout).toContain('Limit         none (volsnap config set maxStoreBytes 50GB sets one)');
    expect(r.stdout).toMatch(/^Disk {10}\S+ \w+ free of \S+ \w+$/m);
    expect(r.stdout).toContain('Reserve       none yet (made once the store outgrows it, with room on the disk)');
    expect(r.stdout).toMatch(/^WORKLOAD\s+SNAPSHOTS\s+ALONE\s+DELETING ALL FREES$/m);
    expect(r.stdout).toMatch(/^web\s+3\s+4\.4 MB\s+2\.4 MB$/m);
    expect(r.stdout).toMatch(/^web-2 \(pinned\)\s+web\s+2026-11-02 10:00:00Z\s+2\.0 MB\s+10 KB$/m);
    expect(r.stdout).toMatch(/^web-3\s+web\s+2026-11-03 10:00:00Z\s+2\.1 MB\s+110 KB$/m);
  });

  it('shows the space reserve when the data directory holds it', async () => {
    const reserve = path.join(store(), 'space-reserve');
    writeFileSync(reserve, '');
    truncateSync(reserve, 64 * 1024 * 1024);
    try {
      const r = await volsnap('--data-dir', store(), 'usage');
      expect(r.stdout).toContain('Reserve       64 MB kept so snapshots can be deleted and exported on a full disk');
    } finally {
      rmSync(reserve);
    }
  });

  it('shows the limit once set, and warns when the store is within 10 % of it', async () => {
    expect((await volsnap('--data-dir', store(), 'config', 'set', 'maxStoreBytes', '3.8MB')).code).toBe(0);
    const r = await volsnap('--data-dir', store(), 'usage');
    expect(r.stdout).toContain('Limit         3.8 MB (oldest unpinned snapshots are pruned after each capture)');
    expect(r.stdout).toContain('Warning       Store near its limit: 3.5 MB of 3.8 MB');
    const bad = await volsnap('--data-dir', store(), 'config', 'set', 'maxStoreBytes', 'lots');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid value for maxStoreBytes: a size such as 20 GB, or null for no limit');
  });
});
