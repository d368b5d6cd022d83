import { damageGroups, someOf } from '../../shared/damage-groups';
import type { VerifyReport } from '../../shared/types';

/** Files named per snapshot in the pane; `volsnap verify` lists them all. */
const FILES_SHOWN = 20;

/**
 * A verify's outcome in the details pane: sound, or each damaged volume and, for missing or
 * damaged chunks (store format 2), the snapshots and files across the store that they take down.
 */
export function VerifyResult({ report }: { report: VerifyReport }) {
  if (report.ok)
    return (
      <p role="status" className="ok">
        Verified: every archive matches its checksum and manifest.
      </p>
    );
  const groups = damageGroups(report.damagedChunks ?? []);
  return (
    <div role="status" className="error">
      <p>
        <strong>Verify failed.</strong>{' '}
        {report.volumes
          .filter((v) => !v.ok)
          .map((v) => `${v.volumeName}: ${v.problem}`)
          .join('; ')}
      </p>
      {groups.length > 0 && (
        <ul aria-label="Missing or damaged chunks">
          {groups.map((group) => (
            <li key={group.hashes[0]}>
              <span title={group.hashes.join('\n')}>
                {group.hashes.length === 1
                  ? `Chunk ${group.hashes[0]!.slice(0, 12)}…`
                  : `${group.hashes.length} chunks`}
              </span>
              : {group.problem}. Used by{' '}
              {group.snapshots
                .map(
                  (s) =>
                    `${s.snapshotName} (${
                      someOf(
                        s.files.map((f) => `${f.volumeName}:${f.path}`),
                        FILES_SHOWN,
                      ) || 'no file'
                    })`,
                )
                .join('; ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
