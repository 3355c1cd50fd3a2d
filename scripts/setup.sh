#!/usr/bin/env bash
# One-time machine set-up for `make test`, `make e2e` and `make dev`: what the tests
# need besides the npm packages. Every step checks first and does nothing when its
# part is already there, so a second run takes a second or two:
#   Postgres answering, with the database the tests start from   (scripts/ensure-postgres.sh)
#   Debian's Chromium for the browser test                        (apt-get, as root)
#   Caddy to validate the Caddyfiles (make check-deploy)          (apt-get, as root)
#   Prometheus and promtool, for the metrics test and the rules    (apt-get, as root)
#   FerretDB, Mailpit and the deployment validators, built once   (scripts/build-tools.sh)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
step() { printf 'setup: %s\n' "$*" >&2; }

# Installs Debian package $2 unless command $1 exists; outside Debian or as a user, says what to install.
ensure_package() {
  local command=$1 package=$2 why=$3
  command -v "$command" >/dev/null && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    step "$command is missing ($why): install it (Debian: apt-get install $package) and run again"
    exit 1
  fi
  step "installing Debian's $package ($why)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$package" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$package" >/dev/null; }
}

"$repo_root/scripts/ensure-postgres.sh" postgres
ensure_package "${CHROMIUM_PATH:-chromium}" chromium "the browser test drives it through playwright-core"
ensure_package caddy caddy "the deployment checks validate the Caddyfiles with it"
# The package may start a Caddy on port 80 where systemd runs; the checks need none running.
if command -v systemctl >/dev/null && systemctl is-active --quiet caddy 2>/dev/null; then systemctl disable --now caddy >/dev/null 2>&1 || true; fi
ensure_package promtool prometheus "the metrics test runs Prometheus, and the deployment checks test its rules with promtool"
# The package starts a Prometheus on 9090 where it can; the tests run their own, on free ports.
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
"$repo_root/scripts/build-tools.sh" all >/dev/null
step "ready"
