import { CheckCircle2, CircleAlert, CircleSlash, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useJobs } from '../hooks/use-jobs';
import { humanDuration } from '../format';
import type { Job, JobStatus } from '../../shared/types';

interface Toast {
  id: string;
  status: JobStatus;
  title: string;
  detail: string;
}

/** How long a toast stays; errors stay until dismissed, as they may need reading. */
const TOAST_MS = 6_000;

/** "compose:shop" → "shop". */
export function workloadLabel(workloadId: string): string {
  return workloadId.replace(/^(compose|container):/, '');
}

/**
 * A toast for every job that ends while the app is open, whoever started it (this window, the tray,
 * the CLI: main forwards every job's `jobs:changed`). Jobs already over when the page loaded are not toasted.
 */
export function JobToasts() {
  const toasts = useJobOutcomes();
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const shown = toasts.filter((t) => !dismissed.has(t.id));
  const dismiss = (id: string) => setDismissed((d) => new Set(d).add(id));
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite">
      {shown.map((toast) => (
        <ToastCard key={toast.id} toast={toast} onDismiss={() => dismiss(toast.id)} />
      ))}
    </section>
  );
}

function ToastCard({ toast, onDismiss }: { toast: Toast; onDismiss: () => void }) {
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;
  useEffect(() => {
    if (toast.status === 'failed') return;
    const timer = setTimeout(() => dismiss.current(), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast.status]);
  const Icon = toast.status === 'succeeded' ? CheckCircle2 : toast.status === 'failed' ? CircleAlert : CircleSlash;
  return (
    <div className={`toast toast-${toast.status}`} data-toast={toast.id}>
      <Icon aria-hidden size={18} className="toast-icon" />
      <div className="toast-text">
        <strong>{toast.title}</strong>
        {toast.detail && <span>{toast.detail}</span>}
      </div>
      <button type="button" className="icon-button small" aria-label="Dismiss notification" onClick={onDismiss}>
        <X aria-hidden size={14} />
      </button>
    </div>
  );
}

/** The jobs that finished since the page loaded, newest last. */
function useJobOutcomes(): Toast[] {
  const jobs = useJobs().data;
  const seen = useRef<Map<string, JobStatus> | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    if (!jobs) return;
    if (seen.current === null) {
      seen.current = new Map(jobs.map((j) => [j.id, j.status]));
      return;
    }
    const known = seen.current;
    // A diff that worked shows its result on screen already: only its failure is news.
    const ended = jobs.filter(
      (j) => j.status !== 'running' && known.get(j.id) !== j.status && !(j.kind === 'diff' && j.status === 'succeeded'),
    );
    for (const j of jobs) known.set(j.id, j.status);
    if (ended.length > 0) setToasts((t) => [...t, ...ended.map(toToast)].slice(-4));
  }, [jobs]);
  return toasts;
}

function toToast(job: Job): Toast {
  const what = `${job.kind[0]!.toUpperCase()}${job.kind.slice(1)} of ${workloadLabel(job.workloadId)}`;
  const took = job.finishedAt ? humanDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt)) : '';
  switch (job.status) {
    case 'succeeded':
      return {
        id: `${job.id}-${job.status}`,
        status: job.status,
        title: `${what} succeeded`,
        detail: took && `in ${took}`,
      };
    case 'failed':
      return {
        id: `${job.id}-${job.status}`,
        status: job.status,
        title: `${what} failed`,
        detail: job.error?.message ?? '',
      };
    default:
      return { id: `${job.id}-${job.status}`, status: job.status, title: `${what} was cancelled`, detail: '' };
  }
}
