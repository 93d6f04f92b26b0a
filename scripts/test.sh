#!/usr/bin/env bash
# The whole test suite: installs what is missing, type-checks, runs the API/domain/job tests against a
# real PostgreSQL server and a real redis-server it starts itself, then the browser tests in Debian's
# chromium (when that suite exists).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh redis postgres chromium
echo "== type check"
npx tsc --noEmit
echo "== tests"
npx vitest run "$@"
if [ -f test/browser/vitest.config.ts ] && [ $# -eq 0 ]; then
  echo "== browser tests"
  npx vitest run --config test/browser/vitest.config.ts
fi
