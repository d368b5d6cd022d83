import { humanDate } from '../format';
import { describeRule, type Schedule, type ScheduleRule } from '../../shared/schedule-types';

/** "due now" once the next run is not in the future, else its date and time. */
export function nextRunText(schedule: Schedule, now: number): string {
  return Date.parse(schedule.nextRunAt) <= now ? 'due now' : humanDate(schedule.nextRunAt);
}

/** What the clock badge and the workload view say about a schedule: "Captured every 1h; next run …". */
export function scheduledText(schedule: Schedule, now: number): string {
  return `Captured ${describeRule(schedule.rule)}; next run ${nextRunText(schedule, now)}`;
}

/** The last scheduled run, for a person: when, how it went and why, or null before the first. */
export function lastRunText(schedule: Schedule): string | null {
  if (schedule.lastOutcome === null) return null;
  const when = schedule.lastRunAt ? ` (${humanDate(schedule.lastRunAt)})` : '';
  switch (schedule.lastOutcome) {
    case 'succeeded':
      return `Last scheduled capture succeeded${when}.`;
    case 'running':
      return `A scheduled capture is running${when}.`;
    case 'waiting':
      return `The scheduled capture is waiting${when}: ${stripPrefix(schedule.lastError ?? 'the workload is busy.')}`;
    case 'failed':
      return `Last scheduled capture failed${when}: ${schedule.lastError ?? 'no reason was recorded.'}`;
  }
}

/** The services word waiting reasons as "Waiting: …"; after "is waiting:" that would say it twice. */
function stripPrefix(reason: string): string {
  return reason.replace(/^Waiting: /, '');
}

export type RuleKind = 'off' | 'every' | 'daily';
export type RuleUnit = 'minutes' | 'hours';

/** The form's fields for a rule (or none): every N minutes or hours, or daily at HH:MM. */
export interface RuleDraft {
  kind: RuleKind;
  amount: string;
  unit: RuleUnit;
  at: string;
}

/** The form's starting values: the workload's rule, or every hour. */
export function draftOf(rule: ScheduleRule | null | undefined): RuleDraft {
  const base: RuleDraft = { kind: 'every', amount: '1', unit: 'hours', at: '03:00' };
  if (!rule) return base;
  if (rule.kind === 'daily') return { ...base, kind: 'daily', at: rule.at };
  const hours = rule.seconds % 3600 === 0;
  return {
    ...base,
    amount: String(hours ? rule.seconds / 3600 : Math.round(rule.seconds / 60)),
    unit: hours ? 'hours' : 'minutes',
  };
}

/** The rule a draft stands for; null for off. The service checks the bounds and says what is wrong. */
export function ruleOf(draft: RuleDraft): ScheduleRule | null {
  if (draft.kind === 'off') return null;
  if (draft.kind === 'daily') return { kind: 'daily', at: draft.at };
  return { kind: 'every', seconds: Number(draft.amount) * (draft.unit === 'hours' ? 3600 : 60) };
}
