#!/usr/bin/env bash
# The first README command: set everything up and run trainhub on its embedded default
# (local PostgreSQL, a Temporal dev server, a mail catcher), API and worker in one process.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
TRAINHUB_SETUP_BROWSER=no bash scripts/setup.sh trainhub
export DATABASE_URL="${DATABASE_URL:-postgresql://trainhub:trainhub@127.0.0.1:5432/trainhub}"
tools/prisma.sh migrate deploy
exec node_modules/.bin/tsx src/main.ts dev
