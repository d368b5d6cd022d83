#!/usr/bin/env bash
# Starts or stops a private Docker Engine for tests and benchmarks, never touching the user's own.
# usage: scripts/test-engine.sh start|stop|env
# The engine lives under $VOLSNAP_ENGINE_ROOT (default /tmp/volsnap-engine); its socket is
# $VOLSNAP_ENGINE_ROOT/docker.sock. `start` also imports Debian's busybox-static as the helper image
# (busybox:latest), the tag a user's machine would pull.
set -euo pipefail
root="${VOLSNAP_ENGINE_ROOT:-/tmp/volsnap-engine}"
sock="$root/docker.sock"
export DOCKER_HOST="unix://$sock"

# dockerd needs root. Run as a user with sudo (the README's test command), the daemon is started
# through sudo and its socket given the user's group, so the tests themselves run as that user.
as_root=()
socket_group=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "the private dockerd needs root: run as root or with sudo installed" >&2; exit 1; }
  as_root=(sudo)
  socket_group=(--group "$(id -gn)")
fi

start() {
  if [ -S "$sock" ] && docker info >/dev/null 2>&1; then
    echo "private engine already running at $DOCKER_HOST"
  else
    # A daemon that died with its session leaves its socket and pidfile behind: clear them first.
    local old
    old=$(cat "$root/docker.pid" 2>/dev/null || true)
    if [ -n "$old" ] && [ "$(cat "/proc/$old/comm" 2>/dev/null)" = dockerd ]; then
      "${as_root[@]}" kill "$old" 2>/dev/null || true
      sleep 2
    fi
    "${as_root[@]}" rm -f "$sock" "$root/docker.pid"
    mkdir -p "$root"
    "${as_root[@]}" mkdir -p "$root/data" "$root/exec"
    [ ${#as_root[@]} -eq 0 ] || sudo -v # ask for a password here, not in the background
    "${as_root[@]}" dockerd --data-root "$root/data" --exec-root "$root/exec" --pidfile "$root/docker.pid" \
      --host "$DOCKER_HOST" "${socket_group[@]}" --bridge=none --iptables=false --ip6tables=false \
      >"$root/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 0.5
    done
    docker info >/dev/null 2>&1 || { tail -20 "$root/dockerd.log"; echo "private dockerd did not start" >&2; exit 1; }
  fi
  if ! docker image inspect busybox:latest >/dev/null 2>&1; then
    local fs="$root/busybox-rootfs"
    rm -rf "$fs" && mkdir -p "$fs/bin" "$fs/tmp" "$fs/etc"
    cp /bin/busybox "$fs/bin/busybox"
    for applet in $("$fs/bin/busybox" --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$fs/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$fs/etc/passwd"
    tar -C "$fs" -c . | docker import -c 'CMD ["sh"]' - busybox:latest >/dev/null
  fi
  echo "private engine ready at $DOCKER_HOST"
}

stop() {
  if [ -f "$root/docker.pid" ]; then
    local pid
    pid=$(cat "$root/docker.pid")
    docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
    "${as_root[@]}" kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
  fi
  echo "private engine stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
