import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from './error-message';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import { describeRule, type Schedule, type ScheduleRule } from '../../shared/schedule-types';

type Kind = 'off' | 'every' | 'daily';
type Unit = 'minutes' | 'hours';

/** The schedules list refreshes about as often as the scheduler looks (once a minute). */
const REFETCH_MS = 60_000;

/**
 * Schedules of the connected engine's workloads: the list (next run, last run and how it went) and a
 * small form to set one (off, every N minutes or hours, daily at HH:MM local time). The app's
 * scheduler and `volsnap schedule run-due` run them.
 */
export function ScheduleEditor() {
  const client = useClient();
  const queryClient = useQueryClient();
  const schedules = useQuery({
    queryKey: queryKeys.schedules,
    queryFn: () => client.listSchedules({}),
    refetchInterval: REFETCH_MS,
  });
  const workloads = useQuery({ queryKey: queryKeys.workloads, queryFn: () => client.listWorkloads({}) });
  const [workload, setWorkload] = useState('');
  const [kind, setKind] = useState<Kind>('every');
  const [amount, setAmount] = useState('1');
  const [unit, setUnit] = useState<Unit>('hours');
  const [at, setAt] = useState('03:00');
  const save = useMutation({
    mutationFn: (input: { workload: string; rule: ScheduleRule | null }) => client.setSchedule(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.schedules }),
  });
  const chosen = workload || workloads.data?.[0]?.id || '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const seconds = Number(amount) * (unit === 'hours' ? 3600 : 60);
    const rule: ScheduleRule | null =
      kind === 'off' ? null : kind === 'daily' ? { kind: 'daily', at } : { kind: 'every', seconds };
    save.mutate({ workload: chosen, rule });
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
                <td>{Date.parse(s.nextRunAt) <= Date.now() ? 'due now' : new Date(s.nextRunAt).toLocaleString()}</td>
                <td>{lastRunText(s)}</td>
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
        <label>
          Capture
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="off">off</option>
            <option value="every">every</option>
            <option value="daily">daily at</option>
          </select>
        </label>
        {kind === 'every' && (
          <>
            <label>
              Every
              <input type="number" min={1} value={amount} onChange={(e) => setAmount(e.target.value)} />
            </label>
            <label>
              Unit
              <select value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
              </select>
            </label>
          </>
        )}
        {kind === 'daily' && (
          <label>
            Time (local)
            <input type="time" value={at} onChange={(e) => setAt(e.target.value)} />
          </label>
        )}
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

function lastRunText(s: Schedule): string {
  if (s.lastRunAt === null && s.lastOutcome === null) return 'never';
  const when = s.lastRunAt ? new Date(s.lastRunAt).toLocaleString() : '';
  const outcome = s.lastOutcome ?? '';
  return [when, s.lastError ? `${outcome}: ${s.lastError}` : outcome].filter(Boolean).join(' · ');
}
