import { humanBytes } from '../format';
import type { RestorePlan } from '../../shared/restore-types';

/** What a restore will do: volumes replaced (and through which mount), containers stopped, blockers. */
export function RestorePlanView({ plan }: { plan: RestorePlan }) {
  return (
    <div className="restore-plan">
      <h3>Volumes that will be replaced</h3>
      <ul>
        {plan.volumes.map((v) => (
          <li key={v.targetVolume}>
            <strong>{v.targetVolume}</strong> at {v.mountDestination} ({v.owner}) ← {humanBytes(v.sizeBytes)} from{' '}
            {v.volumeName}
          </li>
        ))}
      </ul>
      <h3>Containers that will be stopped and started again</h3>
      <p>{plan.containersToStop.length > 0 ? plan.containersToStop.join(', ') : 'None are running.'}</p>
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
