#!/usr/bin/env bash
# Installs the Debian packages the tests and the benchmark need (run as root on Debian/Ubuntu):
# a Docker Engine for the private test daemon, busybox-static for the helper image, zstd and curl for
# the benchmark baselines, Chromium for the end-to-end tests, build tools for native modules.
set -euo pipefail
packages=(docker.io busybox-static zstd curl chromium python3 make g++ ca-certificates)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "Debian packages present: ${packages[*]}"
