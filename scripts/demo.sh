#!/usr/bin/env bash
# Starts the service with demo data on the embedded defaults (PGlite in ./data, its own redis-server)
# and prints the URLs to open. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh redis
exec npx tsx server/start.ts --demo
