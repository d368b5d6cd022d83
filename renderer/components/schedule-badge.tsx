import { AlertTriangle, Clock } from 'lucide-react';
import { lastRunText, scheduledText } from './schedule-text';
import type { Schedule } from '../../shared/schedule-types';

/**
 * A workload's schedule at a glance in the sidebar: a clock while it is captured on a schedule, a
 * warning mark once its last scheduled capture failed (its label and tooltip say what and when).
 * `id` lets the workload's button point at it (aria-describedby), since a button's own label
 * hides what is inside it.
 */
export function ScheduleBadge({ schedule, now, id }: { schedule: Schedule; now: number; id: string }) {
  const failed = schedule.lastOutcome === 'failed';
  const label = failed ? (lastRunText(schedule) ?? '') : scheduledText(schedule, now);
  const Icon = failed ? AlertTriangle : Clock;
  return (
    <span
      id={id}
      role="img"
      aria-label={label}
      title={label}
      className={failed ? 'schedule-badge failed' : 'schedule-badge'}
      data-schedule-badge={failed ? 'failed' : 'scheduled'}
    >
      <Icon aria-hidden size={13} />
    </span>
  );
}
