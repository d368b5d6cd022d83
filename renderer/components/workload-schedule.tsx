import { AlertTriangle, Clock } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { ScheduleRuleFields } from './schedule-rule-fields';
import { draftOf, lastRunText, ruleOf, scheduledText } from './schedule-text';
import type { WorkloadRef } from './view';
import { useNow } from '../hooks/use-now';
import { useSchedules, useSetSchedule } from '../hooks/use-schedules';

/**
 * A workload's schedule in its own view: how often it is captured, the next run and how the last
 * one went (why it failed or waits), and a small form to change it or turn it off. `canSchedule`:
 * the engine lists the workload with volumes (a removed one can only have its schedule turned off).
 */
export function WorkloadSchedule({ workload, canSchedule }: { workload: WorkloadRef; canSchedule: boolean }) {
  const schedules = useSchedules();
  const save = useSetSchedule();
  const now = useNow(30_000);
  const [editing, setEditing] = useState(false);
  const schedule = schedules.data?.find((s) => s.workloadId === workload.id) ?? null;
  const [draft, setDraft] = useState(() => draftOf(schedule?.rule));
  if (!schedules.data) return null;
  const last = schedule && lastRunText(schedule);
  const failed = schedule?.lastOutcome === 'failed';
  const open = () => {
    setDraft(draftOf(schedule?.rule));
    save.reset();
    setEditing(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ workload: workload.id, rule: ruleOf(draft) }, { onSuccess: () => setEditing(false) });
  };
  return (
    <section aria-label={`Schedule of ${workload.name}`} className="workload-schedule">
      <div className="workload-schedule-row">
        <Clock aria-hidden size={14} className="muted" />
        <span className="workload-schedule-rule">
          {schedule ? scheduledText(schedule, now) : 'Not captured on a schedule.'}
        </span>
        {canSchedule && !editing && (
          <button type="button" onClick={open}>
            {schedule ? 'Change schedule…' : 'Schedule captures…'}
          </button>
        )}
        {schedule && !editing && (
          <button
            type="button"
            disabled={save.isPending}
            onClick={() => save.mutate({ workload: workload.id, rule: null })}
          >
            Turn off
          </button>
        )}
      </div>
      {last && (
        <p className={failed ? 'workload-schedule-last failed' : 'workload-schedule-last muted'}>
          {failed && <AlertTriangle aria-hidden size={14} />}
          <span>{last}</span>
        </p>
      )}
      {editing && (
        <form className="schedule-form" aria-label={`Schedule captures of ${workload.name}`} onSubmit={submit}>
          <ScheduleRuleFields draft={draft} onChange={setDraft} offLabel="never (turn off)" />
          <button type="submit" className="primary" disabled={save.isPending}>
            Save schedule
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      )}
      <ErrorMessage error={save.error} />
    </section>
  );
}
