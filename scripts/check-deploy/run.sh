#!/usr/bin/env bash
# `make check-deploy`: validates every deployment file offline with real validators and runs what
# the images run, natively (project/README.md, "How all this is checked without Docker"). Installs what it needs first:
# Caddy from Debian's packages, the Go validators from the Go module proxy (cached).
# Exits non-zero when a check fails; the failing checks are the ones marked × above the summary.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
step() { printf 'check-deploy: %s\n' "$*" >&2; }

if ! command -v caddy >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    step "Caddy is missing: install it (Debian: apt-get install caddy) and run again"
    exit 1
  fi
  step "installing Caddy (Debian's package) for caddy validate and the proxy check"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q caddy >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q caddy >/dev/null; }
  # The package may start a Caddy on port 80 where systemd runs; this check starts its own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet caddy 2>/dev/null; then systemctl disable --now caddy >/dev/null 2>&1 || true; fi
fi

step "building the validators (compose-check, k8s-check, dockerfile-check, actionlint) if needed"
scripts/check-deploy/build-validators.sh >/dev/null

step "making sure Postgres answers (the authentication service starts against it)"
scripts/ensure-postgres.sh postgres

step "type-checking the checks"
npx tsc -p scripts/check-deploy/tsconfig.json

step "running the checks"
if ! npx vitest run --config scripts/check-deploy/vitest.config.ts; then
  step "FAILED: the checks marked × above did not pass"
  exit 1
fi
