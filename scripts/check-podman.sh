#!/usr/bin/env bash
# Checks Volsnap against Podman's Docker-compatible API (issue 13, item 5), as a user would.
# Starts a private `podman system service` (own storage under $PODMAN_ROOT, default
# /tmp/volsnap-podman), imports Debian's busybox-static as busybox:latest (the default helper image;
# images cannot be pulled here), then runs the built CLI (npm run build first) against it:
# engines (the Podman socket must be current and reachable, with version and engine id in --json),
# workloads, capture, list, diff (between snapshots and against the live volume, through the
# workload's container and through a helper), restore --dry-run, restore --confirm, verify, clone; the
# restored and cloned volumes must be identical to the captured one (every path, type, mode, link
# count, file mtime and content). The volume holds what Podman names differently: its mount point
# (`/`, `/a.txt`), hardlinks, a path long enough for PAX records, a symlink to an absolute path.
# Prints PASS/FAIL per step; every failure keeps the CLI's output. Needs root and `podman`.
# Usage: scripts/check-podman.sh [--keep]   (--keep leaves the service and its storage running)
set -u
cd "$(dirname "$0")/.."
root="${PODMAN_ROOT:-/tmp/volsnap-podman}"
sock="$root/podman.sock"
keep="${1:-}"
fails=0
passes=0

pod() {
  podman --root "$root/root" --runroot "$root/run" --cgroup-manager cgroupfs --events-backend file \
    --tmpdir "$root/tmp" "$@"
}

cleanup() {
  [ "$keep" = --keep ] && { echo "service left running at unix://$sock (pid $(cat "$root/service.pid" 2>/dev/null))"; return; }
  pod rm -af >/dev/null 2>&1
  pod volume rm -af >/dev/null 2>&1
  if [ -f "$root/service.pid" ]; then
    local pid
    pid="$(cat "$root/service.pid")"
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  umount -R "$root/root/overlay" 2>/dev/null
  rm -rf "$root"
}

step() {
  local name="$1"
  shift
  local out
  if out="$("$@" 2>&1)"; then
    echo "PASS  $name"
    passes=$((passes + 1))
  else
    echo "FAIL  $name"
    echo "$out" | sed 's/^/      /' | tail -15
    fails=$((fails + 1))
  fi
  LAST_OUT="$out"
}

command -v podman >/dev/null || { echo "podman is not installed (apt-get install -y podman)" >&2; exit 2; }
[ -f dist/cli.cjs ] || { echo "dist/cli.cjs missing: run npm run build" >&2; exit 2; }
rm -rf "$root" && mkdir -p "$root/root" "$root/run" "$root/tmp"
trap cleanup EXIT
# Rootful Podman raises RLIMIT_NOFILE/NPROC in every container it starts; in a sandbox that forbids
# it, runc fails with "error setting rlimit type 7: operation not permitted". Small fixed limits work.
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >"$root/containers.conf"
export CONTAINERS_CONF="$root/containers.conf"

# --- the private service -------------------------------------------------------------------------
# podman itself, not the pod() function: $! must be the service's pid, for cleanup to stop it.
podman --root "$root/root" --runroot "$root/run" --cgroup-manager cgroupfs --events-backend file \
  --tmpdir "$root/tmp" system service --time=0 "unix://$sock" >"$root/service.log" 2>&1 &
echo $! >"$root/service.pid"
for _ in $(seq 1 60); do
  curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break
  sleep 0.5
done
if ! curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
  echo "FAIL  podman service did not start"; tail -20 "$root/service.log"; exit 1
fi
echo "podman $(podman --version | awk '{print $3}') serving unix://$sock"

fs="$root/busybox-rootfs"
mkdir -p "$fs/bin" "$fs/tmp" "$fs/etc"
cp /bin/busybox "$fs/bin/busybox"
for applet in $("$fs/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$fs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$fs/etc/passwd"
tar -C "$fs" -c . | pod import -c 'CMD ["sh"]' - docker.io/library/busybox:latest >/dev/null
pod tag docker.io/library/busybox:latest localhost/busybox:latest 2>/dev/null

# --- a workload with a named volume --------------------------------------------------------------
deep="$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 60))"
long="$(printf 'g%.0s' $(seq 1 90)).txt"
# Filled once: a restore restarts the container, whose command must not write the volume again.
# Whole-second mtimes: Podman's archive gave files whose mtime had a fraction the next second (Go's
# archive/tar rounds), so restored files came back one second apart from `stat` before the capture.
fill="cd /data && echo one >a.txt && mkdir -p sub empty && echo two >sub/b.txt && ln a.txt sub/hard.txt &&
  ln -s /etc/passwd abs-link && mkdir -p $deep && echo deep >$deep/$long && ln $deep/$long hl2 &&
  echo secret >private && chmod 600 private && find . ! -type l -exec touch -d \"2026-01-02 03:04:05\" {} \\;"
step "create volume + container (podman CLI)" bash -c "
  podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' volume create pvdata >/dev/null &&
  podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' run -d --name papp --network none -v pvdata:/data busybox:latest sh -c '[ -e /data/a.txt ] || { $fill; }; sleep 100000' >/dev/null"
sleep 1
step "papp runs with its files" pod exec papp test -e /data/hl2

# Every path of a volume with its type, mode, link count, mtime and content hash (files), target (symlinks).
fingerprint() {
  pod run --rm --network none -v "$1:/t" busybox:latest sh -c 'cd /t && find . | sort | while read -r f; do
    if [ -L "$f" ]; then echo "$f link $(readlink "$f")";
    elif [ -d "$f" ]; then echo "$f dir $(stat -c %a "$f")";
    else echo "$f file $(stat -c "%a %h %Y" "$f") $(md5sum <"$f" | cut -c1-32)"; fi; done'
}
# Passes when volume $1 is exactly what was captured ($before); prints the difference otherwise.
same_as_captured() {
  local now
  now="$(fingerprint "$1")"
  [ "$now" = "$before" ] && [ -n "$now" ] && return 0
  diff <(echo "$before") <(echo "$now")
  return 1
}
# Passes when output $1 has a line for each of the other arguments (regexes); Podman's `/x` names must not show.
lists() {
  local out="$1" re
  shift
  for re in "$@"; do echo "$out" | grep -Eq "$re" || { echo "no line matching $re in:"; echo "$out"; return 1; }; done
  ! echo "$out" | grep -Eq '[+~-] /' || { echo "a Podman-style absolute name in:"; echo "$out"; return 1; }
}

export DOCKER_HOST="unix://$sock"
unset DOCKER_CONTEXT
data="$root/data"
v() { node bin/volsnap.cjs --data-dir "$data" "$@"; }

# Podman's compat /info builds its answer on every call: how long it takes here, for the record.
echo "podman /info answered in $(curl -s -o /dev/null -w '%{time_total}' --unix-socket "$sock" http://d/v1.41/info) s"
step "engines" v engines
echo "$LAST_OUT" | sed 's/^/      /' | head -6
# `engines` once listed this socket as unreachable (ECONNRESET: the probe's own 5 s timeout on /info,
# reported by dockerode as a reset) while every other command reached it.
podman_reachable() {
  local out
  out="$(v --json engines)" || { echo "$out"; return 1; }
  SOCK="unix://$sock" node -e '
    const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const row = rows.find((r) => r.endpoint === process.env.SOCK);
    const ok = row && row.reachable === true && row.current === true && row.version && row.engineId && !row.error;
    if (!ok) { console.log(JSON.stringify(row ?? rows, null, 2)); process.exit(1); }
    console.log(`${row.name} ${row.endpoint} ${row.version} ${row.engineId}`);' <<<"$out"
}
step "engines --json: the Podman socket is current and reachable, with version and engine id" podman_reachable
echo "$LAST_OUT" | sed 's/^/      /'
step "workloads" v workloads
before="$(fingerprint pvdata)"
step "capture papp" v capture papp --name first
step "list" v list
echo "$LAST_OUT" | sed 's/^/      /' | head -6
step "ls first shows the volume's names (not /a.txt)" bash -c "out=\$(node bin/volsnap.cjs --data-dir '$data' ls first) && echo \"\$out\" | grep -Eq ' a\.txt\$' && echo \"\$out\" | grep -Eq ' hl2 -> d+/e+/g+\.txt\$'"
pod exec papp sh -c 'echo changed >/data/a.txt; echo new >/data/c.txt; rm /data/sub/b.txt' >/dev/null
step "live diff first (through the workload's container)" v diff first
step "live diff lists a.txt, c.txt, sub/b.txt" lists "$LAST_OUT" '^ +~ a\.txt' '^ +\+ c\.txt' '^ +- sub/b\.txt'
step "capture papp (second)" v capture papp --name second
step "diff first --against second" v diff first --against second
echo "$LAST_OUT" | sed 's/^/      /' | head -8
step "diff lists a.txt, c.txt, sub/b.txt" lists "$LAST_OUT" '^ +~ a\.txt' '^ +\+ c\.txt' '^ +- sub/b\.txt'
step "restore --dry-run first" v restore first --dry-run
step "restore --confirm first" v restore first --confirm first
step "restored volume is identical to the captured one" same_as_captured pvdata
step "live diff first after restore: no changes" bash -c "node bin/volsnap.cjs --data-dir '$data' diff first | grep -q 'no changes'"
step "verify first" v verify first
step "clone first" v clone first --volume pvdata --to pvclone
step "cloned volume is identical to the captured one" same_as_captured pvclone

# A volume no container mounts is read through a helper (mounted at /volsnap/<volume>): the case
# where Podman names entries `/`, `/a.txt`, for capture and for the live diff alike.
step "capture volume:pvclone (through a helper)" v capture volume:pvclone --name cl
pod run --rm --network none -v pvclone:/c busybox:latest sh -c 'echo extra >/c/extra.txt; rm /c/hl2' >/dev/null
step "live diff cl (through a helper)" v diff cl
step "live diff lists extra.txt and hl2" lists "$LAST_OUT" '^ +\+ extra\.txt' '^ +- hl2'
step "restore --confirm cl" v restore cl --confirm cl
step "restored clone is identical to the captured one" same_as_captured pvclone

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
