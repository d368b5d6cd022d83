import { damageGroups, someOf } from '../../../shared/damage-groups';
import type { VerifyReport } from '../../../shared/types';

/** Chunk names printed per group; `--json` has them all. */
const HASHES_SHOWN = 10;

/**
 * `volsnap verify` for a person: one line per volume, then each missing or damaged chunk (chunks
 * that lose the same files together) with every snapshot and file in the store that uses it, so the
 * reader knows exactly what is lost.
 */
export function verifyText(report: VerifyReport): string {
  const lines = report.volumes.map(
    (v) => `${v.ok ? 'ok     ' : 'FAILED '} ${v.volumeName}${v.problem ? `: ${v.problem}` : ''}`,
  );
  for (const group of damageGroups(report.damagedChunks ?? [])) {
    const count = group.hashes.length;
    const problem = count === 1 ? group.problem : group.problem.replace(/ at offset \d+/, '');
    lines.push('', count === 1 ? `Chunk ${group.hashes[0]}: ${problem}.` : `${count} chunks: ${problem}.`);
    if (count > 1)
      lines.push(`  ${someOf(group.hashes, HASHES_SHOWN, '\n  ')}${count > HASHES_SHOWN ? ' (all in --json)' : ''}`);
    const users = group.snapshots.length;
    lines.push(`  Used by ${users} snapshot${users === 1 ? '' : 's'}:`);
    // Every file, one a line: this is the list of what is lost, to read or to grep.
    for (const s of group.snapshots) {
      lines.push(`    ${s.snapshotName} (${s.snapshotId.slice(0, 12)}):`);
      if (s.files.length === 0) lines.push('      (no file found in its layouts)');
      for (const f of s.files) lines.push(`      ${f.volumeName}:${f.path}`);
    }
  }
  return lines.join('\n');
}
