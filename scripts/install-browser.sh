#!/usr/bin/env bash
# The browser test drives Debian's Chromium through playwright-core; playwright's own
# browser download is not used (it fetches from outside the package registries).
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "browser test: $chromium is missing. Install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi
echo "browser test: installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
