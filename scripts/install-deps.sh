#!/usr/bin/env bash
# Installs the Debian packages the tests and the benchmark need (Debian/Ubuntu): a Docker Engine for
# the private test daemon, busybox-static for the helper image, docker-registry and apache2-utils
# (htpasswd) for the registry push/pull tests, zstd and curl for the benchmark
# baselines, Chromium for the end-to-end tests and for `npm start` without Electron, build tools for
# native modules.
# Run it as root or as a user with sudo: it asks for root (through sudo) only when a package is
# missing, so the README's first lines work as written on a bare Debian machine (root, no sudo) and
# on a developer's machine (a user with sudo).
set -euo pipefail
packages=(docker.io busybox-static docker-registry apache2-utils zstd curl chromium python3 make g++ ca-certificates)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-deps: these Debian packages are missing: ${missing[*]}." >&2
      echo "Installing them needs root: run this script as root, or install sudo and add yourself to the sudo group." >&2
      exit 1
    fi
    echo "install-deps: installing ${missing[*]} with sudo (apt-get needs root)"
    as_root=(sudo)
  fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "Debian packages present: ${packages[*]}"
