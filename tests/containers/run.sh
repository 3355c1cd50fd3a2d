#!/usr/bin/env bash
# `make test-containers` (and the last step of `make test`): the stack and the swarm for real.
#   1. A Docker engine: one that answers is used as it is; otherwise offline/engine.sh
#      installs and starts one (as root, Debian), or says what to install.
#   2. The tests (tests/containers/*.test.ts, in order): make up's messages in bad states; make
#      up_build under a project name and image tag of their own (go-micro-test, :test) on free
#      ports, checked from outside, then make down; make swarm_up with a test-only override,
#      checked through Caddy, then make swarm_down.
#   3. What this run started (dockerd, the npm registry cache) is stopped again; what it found
#      running stays. Images and build cache stay, so the next run is quick.
# One run at a time per machine (a lock), since the runs share the engine and the swarm.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
step() { printf 'test-containers: %s\n' "$*" >&2; }
# shellcheck source=scripts/cache-dir.sh
source scripts/cache-dir.sh
state_dir="$(go_micro_cache_dir)/containers"
mkdir -p "$state_dir" test-results/containers

exec {lock}>"$state_dir/test-containers.lock"
if ! flock -n "$lock"; then
  step "another run of the container tests holds $state_dir/test-containers.lock: waiting for it"
  flock "$lock"
fi

started=$SECONDS
engine_was=$(offline/engine.sh status)
cache_was=$(offline/npm-cache.sh status)
started_engine=""
finish() {
  local code=$?
  if [[ "$cache_was" == *"not running"* ]] && [[ "$(offline/npm-cache.sh status)" != *"not running"* ]]; then
    offline/npm-cache.sh stop
  fi
  if [[ -n "$started_engine" ]]; then offline/engine.sh stop; fi
  step "done in $((SECONDS - started)) s (every command's output: test-results/containers/commands.log)"
  exit "$code"
}
trap finish EXIT

if [[ "$engine_was" == *"not answering"* ]]; then
  if [[ $(id -u) -eq 0 ]]; then step "no Docker engine answers: starting one (stopped again at the end)"
  else step "no Docker engine answers user $(id -un), who may not start one; these tests need it (why, and what to do, below)"; fi
  offline/engine.sh ensure
  started_engine=yes
fi
: >test-results/containers/commands.log

step "running the tests (images are built and containers started first: minutes on a fresh machine)"
if ! npx vitest run --config tests/containers/vitest.config.ts; then
  step "FAILED: the tests marked × above did not pass"
  exit 1
fi
