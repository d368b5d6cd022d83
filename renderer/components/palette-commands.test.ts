import { describe, expect, it } from 'vitest';
import { paletteCommands } from './palette-commands';
import type { Snapshot, Workload } from '../../shared/types';

const shop = { id: 'compose:shop', name: 'shop', volumes: [{ name: 'shop_db' }] } as Workload;
const bare = { id: 'container:bare', name: 'bare', volumes: [] as Workload['volumes'] } as Workload;
const snap = (name: string, status: Snapshot['status'] = 'ready') =>
  ({ id: `id-${name}`, name, note: '', workloadId: shop.id, workloadName: 'shop', status }) as Snapshot;

describe('paletteCommands', () => {
  it('offers screens, open and capture per workload (capture only with volumes) when nothing is typed', () => {
    const labels = paletteCommands('', [shop, bare], []).map((c) => c.label);
    expect(labels).toEqual([
      'All workloads',
      'All snapshots',
      'Jobs',
      'Storage',
      'Settings',
      'Open shop',
      'Capture shop…',
      'Open bare',
    ]);
  });

  it('goes to the All snapshots screen when "snapshots" is typed', () => {
    const commands = paletteCommands('all snap', [shop], [snap('nightly-1')]);
    expect(commands.map((c) => c.label)).toEqual(['All snapshots']);
    expect(commands[0]!.view).toEqual({ screen: 'all-snapshots' });
  });

  it('finds snapshots by name and offers restore, diff and show for each ready one', () => {
    const commands = paletteCommands(
      'nightly',
      [shop],
      [snap('nightly-1'), snap('nightly-2', 'failed'), snap('other')],
    );
    expect(commands.map((c) => c.label)).toEqual(['Restore nightly-1…', 'Diff nightly-1…', 'Show nightly-1']);
    expect(commands[0]!.view).toMatchObject({ screen: 'snapshots', focusSnapshotId: 'id-nightly-1', open: 'restore' });
  });

  it('lists at most 8 snapshots of 10,000 matches', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => snap(`seeded-${i}`));
    const snapshotsOffered = paletteCommands('seeded', [], many).filter((c) => c.id.startsWith('show-'));
    expect(snapshotsOffered).toHaveLength(8);
  });
});
