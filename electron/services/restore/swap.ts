import { randomBytes } from 'node:crypto';
import type { EngineClient as Docker } from '../../docker/engine';
import { createHelper, releaseHelper, removeHelper } from '../../docker/helper';
import { runHelperFollowing } from '../../docker/helper-run';
import { VolsnapError } from '../../../shared/errors';
import type { JournalVolume } from './journal';

// Recovery removes a dead job's helpers through the swap's module, as before.
export { removeJobHelpers } from '../../docker/helper-run';

/** Staged copy of the snapshot inside the target volume (same filesystem, so moves are renames). */
export function stageDirName(jobId: string): string {
  return `.volsnap-stage-${jobId}`;
}

/**
 * The restore's last steps in a helper, per volume, idempotent so recovery can run them again:
 * `swap` then `clean` (each 0 to skip), so a committed restore needs one container start.
 *
 * The swap, by renames only:
 * 1. unless `aside` exists: move every top-level entry (but stage/aside) into `aside.partial`,
 *    then rename `aside.partial` to `aside` (that rename marks step 1 done);
 * 2. move every staged entry to the top, remove the empty stage, give the root the snapshot's
 *    mode and owner.
 * Before any rename in any volume, a check pass makes sure each volume is in a state this job
 * explains: the root, stage, aside and partial are real directories (never links, which `cd -P`
 * and `[ -d x ] && [ ! -L x ]` never follow) or absent, and, while work remains, no other job's
 * `.volsnap-stage-*`/`.volsnap-aside-*` sits at the root. Anything else exits 4 with
 * `refused <volume> <problem> <name>` rather than guess. No stage and no aside (or only aside)
 * means the swap already finished: a re-run only sets the root's mode again.
 * Exit 3 after `limit` renames is the test-only crash switch. Prints `window <mark> <uptime> <uptime>`
 * around the renames so the swap window excludes container start; `mark` is a random word of this
 * run, so no name printed in a refusal can pass for that line.
 *
 * The clean-up removes this job's stage and aside dirs (after a commit, or to roll back before
 * any swap). Nothing is followed: a link (or file) under one of this job's names is unlinked
 * itself, and `find`/`rm -rf` never descend through links. It runs before the workload starts
 * again, so every file about to go is first opened by sleeping shells: its unlink then only drops
 * the name, and the blocks are freed when the helper is released, after the start. Where freeing
 * waits on the disk (an ext4 without a journal, mounted with `discard`, frees each file's blocks
 * inside its unlink) this took the bench's 20,000 files from 1.9 s to 0.5 s of the downtime.
 * Pinning is best effort: a file it could not open is freed by its own unlink, the files many at
 * a time (each unlink waits on the filesystem). Prints `removed <mark> <uptime> <uptime>` around
 * the delete; the helper then waits to be released: on TERM it kills the pinning shells and exits,
 * and the Engine removes it (AutoRemove). Freeing the blocks took the bench volume's 1.7-1.8 s,
 * which a restore no longer waits for. Every run prints `exit <mark> <code>` as it ends.
 */
const FINISH_SCRIPT = `
set -u
job=$1; limit=$2; first=$3; do_swap=$4; clean=$5; mark=$6; shift 6
trap 'echo "exit $mark $?"' EXIT
stage_name=.volsnap-stage-$job; aside_name=.volsnap-aside-$job; partial_name=$aside_name.partial
pins=/tmp/volsnap-pins-$job
n=0
refuse() { echo "refused $1 $2 $3"; exit 4; }
exists() { [ -e "$1" ] || [ -L "$1" ]; }
is_dir() { [ -d "$1" ] && [ ! -L "$1" ]; }
move() {
  mv -T -- "$1" "$2" || exit 1
  n=$((n + 1))
  if [ "$limit" -gt 0 ] && [ "$n" -ge "$limit" ]; then exit 3; fi
}
enter_root() {
  root=/volsnap/$1
  is_dir "$root" && cd -P "$root" && [ "$(pwd -P)" = "$root" ] || refuse "$1" not-a-directory .
}
check() {
  enter_root "$1"
  for d in "$stage_name" "$aside_name" "$partial_name"; do
    if exists "$d" && ! is_dir "$d"; then refuse "$1" not-a-directory "$d"; fi
  done
  if exists "$aside_name" && exists "$partial_name"; then refuse "$1" unexpected "$partial_name"; fi
  if ! exists "$stage_name"; then
    # A first run finds every stage it made: one missing means the volume was replaced meanwhile.
    [ "$first" = 1 ] && refuse "$1" missing "$stage_name"
    exists "$partial_name" && refuse "$1" unexpected "$partial_name"
    return 0
  fi
  for e in .volsnap-stage-* .volsnap-aside-*; do
    exists "$e" || continue
    case "$e" in "$stage_name"|"$aside_name"|"$partial_name") continue;; esac
    refuse "$1" foreign "$e"
  done
}
swap() {
  enter_root "$1"
  if ! exists "$aside_name" && exists "$stage_name"; then
    exists "$partial_name" || mkdir "$partial_name" || exit 1
    for e in * .[!.]* ..?*; do
      exists "$e" || continue
      case "$e" in "$stage_name"|"$aside_name"|"$partial_name") continue;; esac
      move "$e" "$partial_name/$e"
    done
    move "$partial_name" "$aside_name"
  fi
  if exists "$stage_name"; then
    cd -P "$stage_name" && [ "$(pwd -P)" = "$root/$stage_name" ] || refuse "$1" not-a-directory "$stage_name"
    for e in * .[!.]* ..?*; do
      exists "$e" || continue
      move "$e" "$root/$e"
    done
    cd -P "$root" && rmdir "$stage_name" || exit 1
  fi
  chmod "$2" "$root" && chown "$3" "$root" || exit 1
}
# Opens every file under $1 in sleeping shells of 500 files each (under a soft limit of 1,024
# open files per process), at most 1,000 of them; fails if not every shell reported in time.
pin() {
  find "$1" -type f -print0 > "$pins.list" || return 1
  files=$(tr -cd '\\0' < "$pins.list" | wc -c)
  batches=$(( (files + 499) / 500 ))
  [ "$files" -gt 0 ] || return 0
  [ "$batches" -le 1000 ] && { [ -p "$pins" ] || mkfifo "$pins"; } || return 1
  exec 3<>"$pins"
  # "command exec" leaves a shell whose open fails alive; a redirection on the eval would take an fd.
  xargs -0 -r -n 500 -P 1000 sh -c 'i=10; for f; do eval "command exec $i<\\"\\$f\\""; i=$((i + 1)); done; echo >&3; exec sleep 300 3>&- >/dev/null' pin < "$pins.list" 2>/dev/null &
  k=0
  while [ "$k" -lt "$batches" ] && read -t 5 -r _ <&3; do k=$((k + 1)); done
  exec 3>&-
  [ "$k" -eq "$batches" ]
}
cleanup() {
  enter_root "$1"
  for d in "$stage_name" "$aside_name" "$partial_name"; do
    if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then
      rm -f "$d" || exit 1
    elif [ -d "$d" ]; then
      pin "$root/$d" || find "$d" -type f -print0 | xargs -0 -r -P 16 -n 256 rm -f
      rm -rf "$d" || exit 1
    fi
  done
}
for_each() {
  fn=$1; shift
  while [ $# -ge 3 ]; do "$fn" "$1" "$2" "$3"; shift 3; done
}
if [ "$do_swap" = 1 ]; then
  for_each check "$@"
  read t0 _ < /proc/uptime
  for_each swap "$@"
  read t1 _ < /proc/uptime
  echo "window $mark $t0 $t1"
fi
[ "$clean" = 0 ] && exit 0
read t2 _ < /proc/uptime
for_each cleanup "$@"
read t3 _ < /proc/uptime
# Released (TERM), the pinning shells go, their files' blocks are freed, and so does the helper.
trap 'kill -KILL -1 2>/dev/null; exit 0' TERM
echo "removed $mark $t2 $t3"
wait
exit 0
`;

export interface SwapOutcome {
  /** First rename to last rename, measured inside the helper. */
  windowMs: number;
  /** True when the test-only rename limit stopped the helper. */
  stoppedEarly: boolean;
}

export interface FinishOutcome extends SwapOutcome {
  /** Deleting the stage and aside dirs, measured inside the helper. */
  deleteMs: number;
  /** Removes the helper, which frees the blocks of the deleted files: call it once the workload runs. */
  release: () => Promise<void>;
}

interface FinishOptions {
  image: string;
  jobId: string;
  volumes: JournalVolume[];
  renameLimit: number;
  firstRun: boolean;
}

/** Runs the swap alone of every volume in one helper (the tests' view of its checks and renames). */
export async function runSwap(docker: Docker, options: FinishOptions): Promise<SwapOutcome> {
  const run = await runFinishScript(docker, options, { swap: true, clean: false });
  await run.release();
  return run;
}

/**
 * A restore's end in one helper, before the workload starts again: the swap (unless `swap` is
 * false: the journal says it completed, or a rollback only drops its stage dirs), then this job's
 * stage and aside dirs deleted with their blocks held until `release`. `onSwapped` runs as soon
 * as the swap completed, while the delete goes on.
 */
export async function runSwapAndCleanup(
  docker: Docker,
  options: FinishOptions & { swap: boolean; onSwapped: (windowMs: number) => void },
): Promise<FinishOutcome> {
  return runFinishScript(docker, options, { swap: options.swap, clean: true, onSwapped: options.onSwapped });
}

/**
 * Only drops this job's stage and aside dirs, their blocks held until `release`: a commit's
 * clean-up that recovery finishes, or a rollback before any swap.
 */
export async function runCleanupHolding(
  docker: Docker,
  options: { image: string; jobId: string; volumes: JournalVolume[] },
): Promise<FinishOutcome> {
  return runFinishScript(docker, { ...options, renameLimit: 0, firstRun: false }, { swap: false, clean: true });
}

async function runFinishScript(
  docker: Docker,
  options: FinishOptions,
  mode: { swap: boolean; clean: boolean; onSwapped?: (windowMs: number) => void },
): Promise<FinishOutcome> {
  const mark = randomBytes(8).toString('hex');
  const args = [
    options.jobId,
    String(options.renameLimit),
    options.firstRun ? '1' : '0',
    mode.swap ? '1' : '0',
    mode.clean ? '1' : '0',
    mark,
  ];
  for (const v of options.volumes) {
    args.push(v.target, (v.root.mode & 0o7777).toString(8), `${v.root.uid}:${v.root.gid}`);
  }
  let swapped = false;
  const run = await runHelperScript(docker, {
    ...options,
    args,
    what: mode.swap ? 'swap' : 'clean up',
    // A helper that holds blocks is left running once it reports the delete done.
    until: mode.clean ? `removed ${mark}` : undefined,
    exitWord: `exit ${mark}`,
    onLine: (line) => {
      const window = timesAfter(`window ${mark}`, line);
      if (window === null) return;
      swapped = true;
      mode.onSwapped?.(window);
    },
  });
  if (run.code === REFUSED) {
    await run.release();
    throw refusal(run.stdout, mode.swap && !swapped ? 'swap' : 'clean-up');
  }
  if (run.code === 3 && options.renameLimit > 0)
    return { windowMs: 0, deleteMs: 0, stoppedEarly: true, release: run.release };
  const lines = run.stdout.split('\n');
  const find = (word: string) => lines.map((line) => timesAfter(word, line)).find((ms) => ms !== null) ?? 0;
  return {
    windowMs: find(`window ${mark}`),
    deleteMs: find(`removed ${mark}`),
    stoppedEarly: false,
    release: run.release,
  };
}

/** The milliseconds between the two uptimes of a script's `<words> <uptime> <uptime>` line. */
function timesAfter(words: string, line: string): number | null {
  const match = new RegExp(`^${words} (\\d+(?:\\.\\d+)?) (\\d+(?:\\.\\d+)?)$`).exec(line);
  return match ? Math.round((Number(match[2]) - Number(match[1])) * 1000) : null;
}

/** The scripts' exit code for "this volume is not in a state the journal explains; nothing was moved". */
const REFUSED = 4;

/**
 * The swap refused before any rename, in every volume (its check pass runs first): on a first run
 * the restore can still roll back. `problem` says what was found, for a message of the caller's own.
 */
export class SwapRefused extends VolsnapError {
  constructor(
    kind: 'Conflict' | 'Integrity',
    readonly problem: string,
    advice: string,
  ) {
    super(kind, `${problem} Nothing was moved by the swap. ${advice}`);
  }
}

/** Turns a script's `refused <volume> <problem> <name>` line into an error a person can act on. */
function refusal(stdout: string, step: 'swap' | 'clean-up'): VolsnapError {
  const [, volume = '?', problem = '', name = '.'] = /refused (\S+) (\S+) (.*)/.exec(stdout) ?? [];
  let kind: 'Conflict' | 'Integrity' = 'Integrity';
  let found: string;
  let advice = 'Inspect the volume, remove what does not belong there, then run `volsnap recover`.';
  if (problem === 'missing') {
    kind = 'Conflict';
    found = `Volume ${volume} no longer holds this restore's staged copy (${name}): it was removed or made again by someone else after the restore planned it.`;
    advice = `Check who uses ${volume}, then restore again.`;
  } else if (problem === 'foreign') {
    const job = name.replace(/^\.volsnap-(stage|aside)-/, '').replace(/\.partial$/, '');
    kind = 'Conflict';
    found = `Volume ${volume} holds ${name}, a folder of another restore (job ${job}), perhaps run from another Volsnap data directory or interrupted there.`;
    advice =
      'Finish that restore first (`volsnap recover` with the data directory that ran it); if no Volsnap uses it any more, delete that folder from the volume. Then run `volsnap recover`.';
  } else {
    const what = name === '.' ? 'the root of the volume' : name;
    const state =
      problem === 'unexpected'
        ? 'left over where this restore does not expect it'
        : 'a link or a file where this restore expects its own directory (Volsnap never follows links)';
    found = `In volume ${volume}, ${what} is ${state}.`;
  }
  if (step === 'swap') return new SwapRefused(kind, found, advice);
  return new VolsnapError(kind, `${found} The clean-up stopped there. ${advice}`);
}

/**
 * Runs the finish script in a helper mounting the volumes. With `until`, returns as soon as the
 * script printed that line, the helper left running until `release` (which does not wait for it
 * to go: the Engine removes it as it exits); otherwise it is removed once it exited.
 */
async function runHelperScript(
  docker: Docker,
  options: {
    image: string;
    jobId: string;
    volumes: JournalVolume[];
    args: string[];
    what: string;
    until?: string;
    exitWord: string;
    onLine: (line: string) => void;
  },
): Promise<{ code: number; stdout: string; release: () => Promise<void> }> {
  const helper = await createHelper(docker, {
    image: options.image,
    volumes: [...new Set(options.volumes.map((v) => v.target))],
    readOnly: false,
    jobId: options.jobId,
    cmd: ['sh', '-c', FINISH_SCRIPT, 'volsnap-restore', ...options.args],
    autoRemove: options.until !== undefined,
  });
  const remove = () => removeHelper(helper).catch(() => undefined);
  let running = false;
  try {
    const run = await runHelperFollowing(helper, options.what, options);
    const { code, stdout, stderr } = run;
    if (code !== 0 && code !== 3 && code !== REFUSED) {
      throw new VolsnapError(
        'Internal',
        `The ${options.what} step failed in its helper container (exit ${code}): ${stderr.trim() || stdout.trim()}`,
      );
    }
    running = run.running;
    const release = () => releaseHelper(helper).catch(() => undefined);
    return { code, stdout, release: running ? release : async () => undefined };
  } finally {
    if (!running) await remove();
  }
}
