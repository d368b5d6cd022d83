#!/usr/bin/env bash
# Checks Volsnap against Podman's Docker-compatible API (issue 13, item 5), as a user would.
# Starts a private `podman system service` (own storage under $PODMAN_ROOT, default
# /tmp/volsnap-podman), imports Debian's busybox-static as busybox:latest (the default helper image;
# images cannot be pulled here), then runs the built CLI (npm run build first) against it:
# engines, workloads, capture, list, diff, restore --dry-run, restore --confirm, verify, clone.
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
step "create volume + container (podman CLI)" bash -c "
  podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' volume create pvdata >/dev/null &&
  podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' run -d --name papp --network none -v pvdata:/data busybox:latest sh -c 'echo one >/data/a.txt; mkdir -p /data/sub; echo two >/data/sub/b.txt; sleep 100000' >/dev/null"
sleep 1

export DOCKER_HOST="unix://$sock"
unset DOCKER_CONTEXT
data="$root/data"
v() { node bin/volsnap.cjs --data-dir "$data" "$@"; }

step "engines" v engines
echo "$LAST_OUT" | sed 's/^/      /' | head -6
step "workloads" v workloads
step "capture papp" v capture papp --name first
step "list" v list
echo "$LAST_OUT" | sed 's/^/      /' | head -6
pod exec papp sh -c 'echo changed >/data/a.txt; echo new >/data/c.txt' >/dev/null
step "capture papp (second)" v capture papp --name second
step "diff first --against second" v diff first --against second
echo "$LAST_OUT" | sed 's/^/      /' | head -8
step "restore --dry-run first" v restore first --dry-run
step "restore --confirm first" v restore first --confirm first
step "restored content is the first snapshot's" bash -c "
  [ \"\$(podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' exec papp cat /data/a.txt)\" = one ] &&
  ! podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' exec papp test -e /data/c.txt"
step "verify first" v verify first
step "clone first" v clone first --volume pvdata --to pvclone
step "clone content" bash -c "
  podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' volume exists pvclone &&
  podman --root '$root/root' --runroot '$root/run' --cgroup-manager cgroupfs --events-backend file --tmpdir '$root/tmp' run --rm --network none -v pvclone:/c busybox:latest cat /c/sub/b.txt | grep -qx two"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
