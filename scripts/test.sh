#!/usr/bin/env bash
# The whole test suite: installs what is missing, type-checks, runs the API/domain/job tests against a
# real PostgreSQL server and a real redis-server it starts itself, the API tests once more on PGlite,
# then the browser tests in Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh redis postgres chromium
echo "== type check and formatting"
npx tsc --noEmit
npx prettier --check . >/dev/null || { npx prettier --check . ; echo "run: npm run format"; exit 1; }
echo "== tests (PostgreSQL server)"
npx vitest run "$@"
if [ $# -eq 0 ]; then
  echo "== API tests again on PGlite (the embedded default)"
  TEST_DRIVER=pglite npx vitest run test/api
fi
if [ -f test/browser/vitest.config.ts ] && [ $# -eq 0 ]; then
  echo "== browser tests"
  npx vitest run --config test/browser/vitest.config.ts
fi
