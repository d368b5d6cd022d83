import { humanBytes, humanDate } from '../format';
import { downtimeText } from '../restore-text';
import type { RestorePlan, RestorePlanDetails } from '../../shared/restore-types';

/** Which of the snapshot's volumes to restore: one checkbox each, all ticked at first. */
export interface VolumeChoice {
  all: string[];
  chosen: ReadonlySet<string>;
  toggle(volume: string): void;
}

/**
 * What a restore will do, in plain words first (what is lost, how long the workload is down),
 * then the volumes (and through which mount; which exist and which are created again), the
 * containers involved and stopped, notes, image changes and blockers.
 */
export function RestorePlanView({
  plan,
  safetySnapshot,
  choice,
}: {
  plan: RestorePlan;
  safetySnapshot: boolean;
  choice?: VolumeChoice;
}) {
  const details = plan.details;
  const volumes = plan.volumes.map((v) => v.targetVolume);
  return (
    <div className="restore-plan">
      {details && volumes.length > 0 && (
        <p className="consequence">
          <strong>
            Changes made since {humanDate(details.snapshotCreatedAt, { seconds: true })} to {listOf(volumes)} will be
            replaced
          </strong>{' '}
          by the contents of this snapshot.
        </p>
      )}
      {details && details.imageChanges.length > 0 && <ImageWarning changes={details.imageChanges} />}
      {details && plan.containersToStop.length > 0 && (
        <p className="downtime">{downtimeText(details, safetySnapshot)}</p>
      )}
      {choice && choice.all.length > 1 && <VolumeCheckboxes choice={choice} />}
      <h3>{plan.volumes.length === 1 ? 'Volume that will be replaced' : 'Volumes that will be replaced'}</h3>
      <ul>
        {plan.volumes.map((v) => (
          <li key={v.targetVolume}>
            <strong>{v.targetVolume}</strong>
            {v.mountDestination ? ` at ${v.mountDestination} (${v.owner})` : ''} ← {humanBytes(v.sizeBytes)} from{' '}
            {v.volumeName}{' '}
            <span className={v.exists === false ? 'badge warning' : 'badge'}>
              {v.exists === false ? 'will be created' : 'exists'}
            </span>
          </li>
        ))}
      </ul>
      <h3>Containers involved</h3>
      <p>
        {plan.containers && plan.containers.length === 0
          ? 'None exist: only the volumes are restored, and no container is created or started.'
          : (plan.containers ?? []).join(', ')}
      </p>
      <h3>Containers that will be stopped and started again</h3>
      <p>{plan.containersToStop.length > 0 ? stopText(plan, details) : 'None are running.'}</p>
      {(plan.notes ?? []).length > 0 && (
        <ul className="notes">
          {plan.notes!.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {plan.blockers.length > 0 && (
        <div role="alert" className="error">
          <strong>This snapshot cannot be restored now:</strong>
          <ul>
            {plan.blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function VolumeCheckboxes({ choice }: { choice: VolumeChoice }) {
  return (
    <fieldset className="volume-choice">
      <legend>Volumes to restore</legend>
      {choice.all.map((volume) => (
        <label key={volume} className="checkbox">
          <input type="checkbox" checked={choice.chosen.has(volume)} onChange={() => choice.toggle(volume)} />
          {volume}
        </label>
      ))}
    </fieldset>
  );
}

function ImageWarning({ changes }: { changes: RestorePlanDetails['imageChanges'] }) {
  return (
    <div role="alert" className="warning">
      <strong>
        {changes.length === 1 ? 'A container runs a different image' : 'Containers run different images'} than at
        capture.
      </strong>{' '}
      The restored data may not work with it (for example PostgreSQL 15 data under PostgreSQL 16):
      <ul>
        {changes.map((c) => (
          <li key={c.container}>
            {c.container}: captured with {c.capturedImage}, now {c.currentImage}
          </li>
        ))}
      </ul>
    </div>
  );
}

function stopText(plan: RestorePlan, details: RestorePlanDetails | undefined): string {
  return plan.containersToStop
    .map((name) => {
      const seconds = details?.stopTimeouts.find((t) => t.container === name)?.seconds;
      return seconds === undefined ? name : `${name} (stops within ${seconds} s)`;
    })
    .join(', ');
}

/** "a", "a and b", "a, b and c" — with "volume"/"volumes" in front. */
function listOf(volumes: string[]): string {
  const names =
    volumes.length === 1 ? volumes[0]! : `${volumes.slice(0, -1).join(', ')} and ${volumes[volumes.length - 1]!}`;
  return `${volumes.length === 1 ? 'volume' : 'volumes'} ${names}`;
}
