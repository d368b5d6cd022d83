import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { VerifyResult } from './verify-result';
import type { DamagedChunk, VerifyReport } from '../../shared/types';

const users: DamagedChunk['snapshots'] = [
  { snapshotId: 'a'.repeat(16), snapshotName: 'monday', files: [{ volumeName: 'db', path: 'base/1' }] },
  { snapshotId: 'b'.repeat(16), snapshotName: 'tuesday', files: [{ volumeName: 'db', path: 'base/1' }] },
];
const chunk = (n: number): DamagedChunk => ({
  hash: String(n).repeat(64).slice(0, 64),
  problem: 'its pack 0123 is missing',
  snapshots: users,
});

describe('the verify result in the details pane', () => {
  it('names the snapshots and files a lost chunk takes down, many chunks losing the same files on one line', () => {
    const report: VerifyReport = {
      snapshotId: 'a'.repeat(16),
      ok: false,
      volumes: [
        { volumeName: 'db', ok: false, problem: '3 chunks missing or damaged; files that cannot be read back: base/1' },
      ],
      damagedChunks: [chunk(1), chunk(2), chunk(3)],
    };
    const html = renderToStaticMarkup(<VerifyResult report={report} />);
    expect(html).toContain('db: 3 chunks missing or damaged');
    expect(html).toContain(
      '3 chunks</span>: its pack 0123 is missing. Used by monday (db:base/1); tuesday (db:base/1)',
    );
    expect(html.match(/<li/g)).toHaveLength(1);
  });

  it('says a sound snapshot is verified', () => {
    const html = renderToStaticMarkup(
      <VerifyResult report={{ snapshotId: 'a', ok: true, volumes: [], damagedChunks: [] }} />,
    );
    expect(html).toContain('Verified: every archive matches its checksum and manifest.');
  });
});
