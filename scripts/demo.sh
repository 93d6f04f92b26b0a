#!/usr/bin/env bash
# Starts the service with demo data on the embedded defaults (PGlite in ./data, its own redis-server)
# and prints the URLs to open. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh redis
# demo data is loaded through the API with this operator key (only used when ./data is new)
export LOG_LEVEL="${LOG_LEVEL:-warn}"
export CERF_BOOTSTRAP_OPERATOR_KEY="${CERF_BOOTSTRAP_OPERATOR_KEY:-cerf_demo_operator_0000000000000000000000}"
# as npm run demo: built to plain JavaScript, under the V8 flags of package.json (config.serviceNodeFlags)
node scripts/build.mjs
# shellcheck disable=SC2046
exec node $(node -p "require('./package.json').config.serviceNodeFlags") dist/scripts/demo.js
