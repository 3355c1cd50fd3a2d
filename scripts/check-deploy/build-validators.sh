#!/usr/bin/env bash
# Builds the offline validators that `make check-deploy` runs, from their Go modules in tools/
# (sources from the Go module proxy, pinned by each go.mod and go.sum):
#   compose-check     Compose Specification (compose-go) + swarm rules
#   k8s-check         Kubernetes manifests decoded strictly into k8s.io/api types
#   dockerfile-check  BuildKit's Dockerfile parser and linter + this project's image rules
#   actionlint        GitHub Actions workflows
# Binaries go to the cache shared with scripts/build-tools.sh, named after a hash of the tool's
# files, so a second run builds nothing. Prints each binary's path on stdout, one per line.
#
# usage: scripts/check-deploy/build-validators.sh [compose-check|k8s-check|dockerfile-check|actionlint|all]
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/cache-dir.sh
source "$repo_root/scripts/cache-dir.sh"
bin_dir="$(go_micro_cache_dir)/bin"
export CGO_ENABLED=0

log() { printf 'build-validators: %s\n' "$*" >&2; }

# The package to build: actionlint comes whole from its module (a `tool` line in go.mod).
package_of() {
  if [[ $1 == actionlint ]]; then echo github.com/rhysd/actionlint/cmd/actionlint; else echo .; fi
}

ensure() {
  local tool=$1 dir="$repo_root/tools/$1" hash out
  [[ -f "$dir/go.mod" ]] || { log "error: tools/$tool/go.mod is missing"; exit 1; }
  hash=$(cd "$dir" && cat go.mod go.sum $(ls ./*.go 2>/dev/null) | sha256sum | cut -c1-12)
  out="$bin_dir/$tool-$hash"
  if [[ ! -x "$out" ]]; then
    command -v go >/dev/null || { log "error: Go is needed to build $tool (see tools/$tool/go.mod for the version)"; exit 1; }
    mkdir -p "$bin_dir"
    # Parallel callers on a fresh machine: one builds, the others wait for it.
    exec {lock_fd}>"$bin_dir/.$tool.lock"
    flock "$lock_fd"
    if [[ ! -x "$out" ]]; then
      log "building $tool (first time only; up to a few minutes)"
      (cd "$dir" && go build -trimpath -buildvcs=false -o "$out.tmp" "$(package_of "$tool")")
      mv "$out.tmp" "$out"
      # Binaries of this tool's earlier sources are never used again.
      find "$bin_dir" -maxdepth 1 -name "$tool-*" ! -name "${out##*/}" -delete
    fi
    exec {lock_fd}>&-
  fi
  printf '%s\n' "$out"
}

tools=(compose-check k8s-check dockerfile-check actionlint)
case "${1:-all}" in
  all) for tool in "${tools[@]}"; do ensure "$tool"; done ;;
  compose-check | k8s-check | dockerfile-check | actionlint) ensure "$1" ;;
  *) log "usage: $0 [${tools[*]}|all]"; exit 2 ;;
esac
