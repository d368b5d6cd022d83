import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { ScheduleRuleFields } from './schedule-rule-fields';
import { draftOf, lastRunText, nextRunText, ruleOf } from './schedule-text';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { useNow } from '../hooks/use-now';
import { useSchedules, useSetSchedule } from '../hooks/use-schedules';
import { describeRule } from '../../shared/schedule-types';

/**
 * Schedules of the connected engine's workloads (Settings): the list (next run, last run and how it
 * went) and a small form to set one for any workload. Each workload's own view edits its schedule
 * too (workload-schedule.tsx). The app's scheduler and `volsnap schedule run-due` run them.
 */
export function ScheduleEditor() {
  const client = useClient();
  const schedules = useSchedules();
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  const now = useNow(30_000);
  const [workload, setWorkload] = useState('');
  const [draft, setDraft] = useState(draftOf(null));
  const save = useSetSchedule();
  const chosen = workload || workloads.data?.[0]?.id || '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ workload: chosen, rule: ruleOf(draft) });
  };
  return (
    <section aria-labelledby="schedules-title" className="schedules">
      <h2 id="schedules-title">Schedules</h2>
      <ErrorMessage error={schedules.error ?? workloads.error} />
      {schedules.data && schedules.data.length === 0 && <p className="muted">No workload is captured on a schedule.</p>}
      {schedules.data && schedules.data.length > 0 && (
        <table className="schedule-table">
          <thead>
            <tr>
              <th scope="col">Workload</th>
              <th scope="col">Schedule</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
            </tr>
          </thead>
          <tbody>
            {schedules.data.map((s) => (
              <tr key={s.workloadId}>
                <td>{s.workloadName}</td>
                <td>{describeRule(s.rule)}</td>
                <td>{nextRunText(s, now)}</td>
                <td>{lastRunText(s) ?? 'never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="schedule-form" onSubmit={submit}>
        <label>
          Workload
          <select value={chosen} onChange={(e) => setWorkload(e.target.value)}>
            {(workloads.data ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
        <ScheduleRuleFields draft={draft} onChange={setDraft} />
        <button type="submit" disabled={save.isPending || chosen === ''}>
          Save schedule
        </button>
        {save.isSuccess && !save.isPending && (
          <span role="status" className="ok">
            Saved
          </span>
        )}
      </form>
      <ErrorMessage error={save.error} />
    </section>
  );
}
