#!/usr/bin/env bash
# Installs what the project needs and the machine lacks: Debian packages (redis-server, and for the
# tests postgresql and chromium) and the npm dependencies. Safe to run again: it skips what is there.
# Usage: scripts/ensure-deps.sh [redis] [postgres] [chromium]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for what in "$@"; do
  case "$what" in
    redis) [ -x /usr/bin/redis-server ] || need+=(redis-server) ;;
    postgres) ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql) ;;
    chromium)
      [ -x /usr/bin/chromium ] || need+=(chromium)
      # the pages are Chinese first: screenshots need a CJK font
      fc-list 2>/dev/null | grep -qi wqy || need+=(fonts-wqy-zenhei)
      ;;
  esac
done

if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the packaged services; the project runs its own, so stop those
  if printf '%s\n' "${need[@]}" | grep -qx redis-server; then $SUDO service redis-server stop >/dev/null 2>&1 || true; fi
  if printf '%s\n' "${need[@]}" | grep -qx postgresql; then $SUDO service postgresql stop >/dev/null 2>&1 || true; fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci)"
  # npm 11 leaves other platforms' optional packages (rollup, msgpackr builds) out of the lock file
  # it writes here, and then `npm ci` refuses that same lock file; `npm install` installs exactly the
  # locked versions and leaves the lock file unchanged, so it is the fallback.
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/tmp/cerf-npm-ci.log; then
    echo "npm ci refused the lock file ($(grep -c Missing /tmp/cerf-npm-ci.log) optional platform packages); installing the locked versions with npm install"
    npm install --no-audit --no-fund --loglevel=error
  fi
fi
