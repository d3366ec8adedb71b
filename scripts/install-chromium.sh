#!/usr/bin/env bash
# Installs Chromium from Debian's packages for the browser tests (headless, driven by playwright-core),
# and DejaVu Sans, the font certificates print names beyond Latin-1 in.
# Idempotent: does nothing when both are there.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-chromium: /usr/bin/chromium or DejaVu Sans is missing and installing them needs root: run 'sudo apt-get install -y chromium fonts-dejavu-core' (Debian), or as root scripts/install-chromium.sh" >&2
  exit 1
fi
command -v apt-get >/dev/null || { echo "install-chromium: apt-get not found; install Chromium so that /usr/bin/chromium exists" >&2; exit 1; }
echo "install-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null)" >&2
