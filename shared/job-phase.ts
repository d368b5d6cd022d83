import { JOB_PHASES, type Job, type JobPhase, type JobProgress } from './types';

/** Each phase in a person's words; a phase missing here fails the typecheck. */
const WORDS: Record<JobPhase, string> = {
  starting: 'starting',
  preparing: 'preparing',
  warning: 'warning',
  pausing: 'pausing containers',
  stopping: 'stopping containers',
  capturing: 'capturing',
  resuming: 'resuming containers',
  comparing: 'comparing',
  reading: 'reading',
  staging: 'staging',
  swapping: 'swapping',
  'removing-old': 'removing the old contents',
  'starting-containers': 'starting containers',
  'rolling-back': 'rolling back',
  pushing: 'pushing',
  pulling: 'pulling',
  exporting: 'exporting',
  importing: 'checking and importing',
};

/** "capturing app_data", "preparing: pulling busybox", "safety snapshot: capturing app_data". */
export function phaseText(p: Pick<JobProgress, 'phase' | 'volume' | 'detail' | 'within'>): string {
  const words = `${WORDS[p.phase]}${p.volume ? ` ${p.volume}` : ''}${p.detail ? `: ${p.detail}` : ''}`;
  return p.within ? `${p.within}: ${words}` : words;
}

/** A job's phase in words, with the volume and detail of its latest progress when that is of the same phase. */
export function jobPhaseText(job: Pick<Job, 'phase' | 'progress'>): string {
  return phaseText(job.progress?.phase === job.phase ? job.progress : { phase: job.phase });
}

/**
 * The phase of a text older versions saved ("capturing app_data", "safety snapshot: preparing"):
 * the phase whose words it begins with, the longest such; `starting` when none does.
 */
export function phaseOfText(text: string): JobPhase {
  const words = text.replace(/^safety snapshot: /, '');
  let found: JobPhase = 'starting';
  for (const phase of JOB_PHASES) {
    const own = WORDS[phase];
    const matches = words === phase || words === own || words.startsWith(`${own} `) || words.startsWith(`${own}:`);
    if (matches && own.length >= WORDS[found].length) found = phase;
  }
  return found;
}
