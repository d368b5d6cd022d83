import type { EngineClient as Docker } from '../../docker/engine';
import { createHelper, removeHelper } from '../../docker/helper';
import { runHelperToEnd } from '../../docker/helper-run';
import { VolsnapError } from '../../../shared/errors';
import type { JournalVolume } from './journal';

// Recovery removes a dead job's helpers through the swap's module, as before.
export { removeJobHelpers } from '../../docker/helper-run';

/** Staged copy of the snapshot inside the target volume (same filesystem, so moves are renames). */
export function stageDirName(jobId: string): string {
  return `.volsnap-stage-${jobId}`;
}

/**
 * The swap, per volume, by renames only, idempotent so recovery can run it again after a crash:
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
 * Exit 3 after `limit` renames is the test-only crash switch. Prints `window <uptime> <uptime>`
 * around the renames so the swap window excludes container start.
 */
const SWAP_SCRIPT = `
set -u
job=$1; limit=$2; first=$3; shift 3
stage_name=.volsnap-stage-$job; aside_name=.volsnap-aside-$job; partial_name=$aside_name.partial
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
for_each() {
  fn=$1; shift
  while [ $# -ge 3 ]; do "$fn" "$1" "$2" "$3"; shift 3; done
}
for_each check "$@"
read t0 _ < /proc/uptime
for_each swap "$@"
read t1 _ < /proc/uptime
echo "window $t0 $t1"
`;

/**
 * Removes this job's stage and aside dirs (after a commit, or to roll back before any swap).
 * Unlinking is latency-bound (each unlink waits on the filesystem's journal), so the files go
 * first, in parallel (20,000 small files: 0.5 s instead of 1.6 s here); \`rm -rf\` then
 * removes the rest and is the step whose failure counts. Nothing is followed: a link (or file)
 * under one of this job's names is unlinked itself, and \`find\`/\`rm -rf\` never descend
 * through links. Exit 4 if a volume's root is not a real directory.
 */
const CLEANUP_SCRIPT = `
job=$1; shift
for v in "$@"; do
  root=/volsnap/$v
  [ -d "$root" ] && [ ! -L "$root" ] && cd -P "$root" && [ "$(pwd -P)" = "$root" ] || { echo "refused $v not-a-directory ."; exit 4; }
  for d in ".volsnap-stage-$job" ".volsnap-aside-$job" ".volsnap-aside-$job.partial"; do
    if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then
      rm -f "$d" || exit 1
    elif [ -d "$d" ]; then
      find "$d" -type f -print0 | xargs -0 -r -P 16 -n 256 rm -f
      rm -rf "$d" || exit 1
    fi
  done
done
`;

export interface SwapOutcome {
  /** First rename to last rename, measured inside the helper. */
  windowMs: number;
  /** True when the test-only rename limit stopped the helper. */
  stoppedEarly: boolean;
}

/** Runs the swap of every volume in one helper (one container start for the whole window). */
export async function runSwap(
  docker: Docker,
  options: { image: string; jobId: string; volumes: JournalVolume[]; renameLimit: number; firstRun: boolean },
): Promise<SwapOutcome> {
  const args = [options.jobId, String(options.renameLimit), options.firstRun ? '1' : '0'];
  for (const v of options.volumes) {
    args.push(v.target, (v.root.mode & 0o7777).toString(8), `${v.root.uid}:${v.root.gid}`);
  }
  const run = await runHelperScript(docker, { ...options, script: SWAP_SCRIPT, args, what: 'swap' });
  if (run.code === REFUSED) throw refusal(run.stdout, 'swap');
  if (run.code === 3 && options.renameLimit > 0) return { windowMs: 0, stoppedEarly: true };
  const match = /window (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)/.exec(run.stdout);
  const windowMs = match ? Math.round((Number(match[2]) - Number(match[1])) * 1000) : 0;
  return { windowMs, stoppedEarly: false };
}

/** Deletes this job's stage and aside dirs in every target volume. */
export async function runCleanup(
  docker: Docker,
  options: { image: string; jobId: string; volumes: JournalVolume[] },
): Promise<void> {
  const args = [options.jobId, ...options.volumes.map((v) => v.target)];
  const run = await runHelperScript(docker, { ...options, script: CLEANUP_SCRIPT, args, what: 'clean up' });
  if (run.code === REFUSED) throw refusal(run.stdout, 'clean-up');
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

async function runHelperScript(
  docker: Docker,
  options: { image: string; jobId: string; volumes: JournalVolume[]; script: string; args: string[]; what: string },
): Promise<{ code: number; stdout: string }> {
  const helper = await createHelper(docker, {
    image: options.image,
    volumes: [...new Set(options.volumes.map((v) => v.target))],
    readOnly: false,
    jobId: options.jobId,
    cmd: ['sh', '-c', options.script, 'volsnap-restore', ...options.args],
  });
  try {
    const { code, stdout, stderr } = await runHelperToEnd(helper, options.what);
    if (code !== 0 && code !== 3 && code !== REFUSED) {
      throw new VolsnapError(
        'Internal',
        `The ${options.what} step failed in its helper container (exit ${code}): ${stderr.trim() || stdout.trim()}`,
      );
    }
    return { code, stdout };
  } finally {
    await removeHelper(helper).catch(() => undefined);
  }
}
