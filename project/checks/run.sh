#!/usr/bin/env bash
# `make check-deploy`: what a Docker engine cannot tell about the deployment files, checked offline
# with real validators (project/README.md, "How this is checked"): compose and swarm decoding,
# Kubernetes decoding, the Caddyfiles, the CI workflow, and each deployment's environment against
# each service's config schema. Needs what `make setup` installs: Caddy, and the Go validators of
# project/checks/validators built from the Go module proxy (cached).
# Exits non-zero when a check fails; the failing checks are the ones marked × above the summary.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
step() { printf 'check-deploy: %s\n' "$*" >&2; }

step "type-checking the checks"
npx tsc -p project/checks/tsconfig.json

step "running the checks"
if ! npx vitest run --config project/checks/vitest.config.ts; then
  step "FAILED: the checks marked × above did not pass"
  exit 1
fi
