#!/usr/bin/env bash
# Everything trainhub needs on this machine, idempotent and quick when already done:
# node modules, the Temporal binaries, the generated Prisma client, and PostgreSQL (unless DATABASE_URL is set).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command -v node >/dev/null || { echo "setup: Node.js 20.19+ is required" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/install-temporal.sh
# Headless Chromium is for the browser tests only: `npm run dev` does without it.
if [ "${TRAINHUB_SETUP_BROWSER:-yes}" = "yes" ]; then bash scripts/install-chromium.sh; fi
if [ ! -f src/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt src/generated/prisma/client.ts ]; then
  tools/prisma.sh generate >/dev/null
fi
bash scripts/local-postgres.sh "$@"
