import { useId, type ReactNode } from 'react';
import type { RuleDraft, RuleKind, RuleUnit } from './schedule-text';

/**
 * The fields of a schedule rule: off, every N minutes or hours, or daily at HH:MM (local time).
 * Shared by the Settings list and the workload view; `offLabel` names what "off" does there.
 */
export function ScheduleRuleFields({
  draft,
  onChange,
  offLabel = 'off',
}: {
  draft: RuleDraft;
  onChange: (draft: RuleDraft) => void;
  offLabel?: string;
}) {
  const set = (patch: Partial<RuleDraft>) => onChange({ ...draft, ...patch });
  const id = useId();
  return (
    <>
      <Field id={`${id}-kind`} label="Capture">
        <select id={`${id}-kind`} value={draft.kind} onChange={(e) => set({ kind: e.target.value as RuleKind })}>
          <option value="every">every</option>
          <option value="daily">daily at</option>
          <option value="off">{offLabel}</option>
        </select>
      </Field>
      {draft.kind === 'every' && (
        <>
          <Field id={`${id}-amount`} label="Every">
            <input
              id={`${id}-amount`}
              type="number"
              min={1}
              value={draft.amount}
              onChange={(e) => set({ amount: e.target.value })}
            />
          </Field>
          <Field id={`${id}-unit`} label="Unit">
            <select id={`${id}-unit`} value={draft.unit} onChange={(e) => set({ unit: e.target.value as RuleUnit })}>
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
            </select>
          </Field>
        </>
      )}
      {draft.kind === 'daily' && (
        <Field id={`${id}-at`} label="Time (local)">
          <input id={`${id}-at`} type="time" value={draft.at} onChange={(e) => set({ at: e.target.value })} />
        </Field>
      )}
    </>
  );
}

/** A label above its control, tied by id: a select's options must not become part of its name. */
function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <span className="schedule-field">
      <label htmlFor={id}>{label}</label>
      {children}
    </span>
  );
}
