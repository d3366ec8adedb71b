#!/usr/bin/env bash
# Runs the project's pinned Prisma CLI: tools/prisma.sh <prisma args...>
#
# Prisma's native schema engine cannot be downloaded on these machines, so unless
# PRISMA_SCHEMA_ENGINE_BINARY is already set (a machine with the native engine keeps
# using it) the CLI is pointed at the project's stand-in, tools/schema-engine/.
# The current directory is kept: Prisma finds prisma.config.ts from it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ]; then
  export PRISMA_SCHEMA_ENGINE_BINARY="$root/tools/schema-engine/schema-engine.js"
fi
# No update checks, no telemetry: nothing calls home.
export PRISMA_HIDE_UPDATE_MESSAGE=1
export CHECKPOINT_DISABLE=1

exec "$root/node_modules/.bin/prisma" "$@"
