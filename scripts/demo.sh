#!/usr/bin/env bash
# Starts the service with demo data on the embedded defaults (PGlite in ./data, its own redis-server)
# and prints the URLs to open. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh redis
# demo data is loaded through the API with this operator key (only used when ./data is new)
export LOG_LEVEL="${LOG_LEVEL:-warn}"
export CERF_BOOTSTRAP_OPERATOR_KEY="${CERF_BOOTSTRAP_OPERATOR_KEY:-cerf_demo_operator_0000000000000000000000}"
# the same V8 flags as npm start: a larger young generation halves the collector's work on big batches
exec node --max-semi-space-size=32 --import tsx scripts/demo.ts
