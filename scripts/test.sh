#!/usr/bin/env bash
# The second README command: the whole suite against real PostgreSQL, Temporal and SMTP.
# Extra arguments go to jest (e.g. a path to run one file).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh trainhub_test
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://trainhub:trainhub@127.0.0.1:5432/trainhub_test}"

echo "== type check" >&2
node_modules/.bin/tsc --noEmit -p .
echo "== schema.prisma and prisma/migrations agree" >&2
DATABASE_URL="$TEST_DATABASE_URL" tools/prisma.sh migrate diff \
  --from-migrations prisma/migrations --to-schema prisma/schema.prisma --exit-code >/dev/null \
  || { echo "prisma/schema.prisma differs from prisma/migrations: create a migration (tools/prisma.sh migrate dev --create-only)" >&2; exit 1; }
echo "== jest" >&2
mkdir -p .data/test
status=0
node_modules/.bin/jest --json --outputFile=.data/test/jest-results.json "$@" || status=$?
# One plain closing line that any CI reader understands.
node -e '
  const r = require("./.data/test/jest-results.json");
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' 2>/dev/null || true
exit "$status"
