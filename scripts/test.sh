#!/usr/bin/env bash
# The whole test suite: typecheck, lint, unit + integration (vitest) and end-to-end (Playwright in
# Debian's Chromium), all against one private dockerd that this script starts and stops. Never the
# user's engine.
set -uo pipefail
cd "$(dirname "$0")/.."
export VOLSNAP_ENGINE_ROOT="${VOLSNAP_ENGINE_ROOT:-/tmp/volsnap-engine}"
results="$(mktemp -d)"
node scripts/ensure-native.mjs || exit 1
npm run typecheck || exit 1
npm run lint || exit 1
npm run build || exit 1
started=0
if ! DOCKER_HOST="unix://$VOLSNAP_ENGINE_ROOT/docker.sock" docker info >/dev/null 2>&1; then
  if [ "${VOLSNAP_SKIP_ENGINE_TESTS:-}" != 1 ]; then
    bash scripts/test-engine.sh start || exit 1
    started=1
  fi
fi
stop_engine() { [ "$started" = 1 ] && [ "${VOLSNAP_KEEP_ENGINE:-}" != 1 ] && bash scripts/test-engine.sh stop; }
trap stop_engine EXIT
export DOCKER_HOST="unix://$VOLSNAP_ENGINE_ROOT/docker.sock"

npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
vitest_rc=$?
pw_rc=0
if [ -f playwright.config.ts ]; then
  PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" npx playwright test --reporter=list,json
  pw_rc=$?
fi
node scripts/test-summary.mjs "$results"
[ "$vitest_rc" = 0 ] && [ "$pw_rc" = 0 ]
