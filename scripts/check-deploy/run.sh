#!/usr/bin/env bash
# `make check-deploy`: validates every deployment file offline with real validators and runs what
# the images run, natively (project/README.md, "How all this is checked without Docker"). Needs what
# `make setup` installs: Caddy, and the Go validators built from the Go module proxy (cached).
# Exits non-zero when a check fails; the failing checks are the ones marked × above the summary.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
step() { printf 'check-deploy: %s\n' "$*" >&2; }

step "making sure Postgres answers (the authentication service starts against it)"
scripts/ensure-postgres.sh postgres

step "type-checking the checks"
npx tsc -p scripts/check-deploy/tsconfig.json

step "running the checks"
if ! npx vitest run --config scripts/check-deploy/vitest.config.ts; then
  step "FAILED: the checks marked × above did not pass"
  exit 1
fi
