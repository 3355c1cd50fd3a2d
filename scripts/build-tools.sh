#!/usr/bin/env bash
# Builds the real servers that tests and `make dev` run instead of containers:
#   ferretdb  a MongoDB-protocol server (FerretDB v1 on embedded SQLite), from tools/ferretdb
#   mailpit   an SMTP catcher with HTTP API and web UI (Mailpit), from tools/mailpit
# Go sources come from the Go module proxy, pinned by each tool's go.mod and
# go.sum; binaries go to a cache outside the repository, named after the
# pinned version and a hash of the tool's files, so a second run is instant.
# Prints the path of each binary, one per line, on stdout; progress goes to stderr.
#
# usage: scripts/build-tools.sh [ferretdb|mailpit|all]   (default: all)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/cache-dir.sh
source "$repo_root/scripts/cache-dir.sh"
cache_dir=$(go_micro_cache_dir)
bin_dir="$cache_dir/bin"

# Bump when the way a tool is built changes without its files changing.
recipe=1

# Pure-Go SQLite in both tools: no C compiler needed, and static binaries.
export CGO_ENABLED=0

# Scratch space of a Mailpit build, removed however the script ends.
work=""
trap '[[ -z "$work" ]] || rm -rf "$work"' EXIT

log() { printf 'build-tools: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The version of module $2 that tools/$1/go.mod requires.
pinned_version() {
  awk -v m="$2" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' \
    "$repo_root/tools/$1/go.mod"
}

# Path of the binary for tool $1 at version $2: changes whenever tools/$1 does.
binary_path() {
  local hash
  hash=$(cd "$repo_root/tools/$1" && cat go.mod go.sum main.go | { cat; echo "recipe $recipe"; } |
    sha256sum | cut -c1-12)
  printf '%s/%s-%s-%s\n' "$bin_dir" "$1" "$2" "$hash"
}

build_ferretdb() {
  local out=$1
  # The embeddable package, not FerretDB's own cmd: see tools/ferretdb/main.go.
  (cd "$repo_root/tools/ferretdb" && go build -trimpath -buildvcs=false -o "$out.tmp" .)
  mv "$out.tmp" "$out"
}

# Mailpit's published module lacks its web UI bundle (server/ui/dist is built
# with npm and not committed), so the binary would serve a blank page. Build
# the bundle from the module's own sources and lockfile, in a copy of the
# module that the Go build uses through a replace in a throwaway go.mod.
build_mailpit() {
  local out=$1 version=$2 src
  work=$(mktemp -d "$cache_dir/mailpit-build.XXXXXX")

  command -v npm >/dev/null || die "npm is needed to build Mailpit's web UI"
  src=$(cd "$repo_root/tools/mailpit" &&
    go mod download github.com/axllent/mailpit && go list -m -f '{{.Dir}}' github.com/axllent/mailpit)
  cp -R "$src" "$work/mailpit"
  chmod -R u+w "$work/mailpit" # the module cache is read-only

  log "building Mailpit's web UI with npm (esbuild)"
  # --ignore-scripts: esbuild finds its platform package without its install script.
  (cd "$work/mailpit" &&
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 &&
    MINIFY=true node esbuild.config.mjs >&2) ||
    die "building Mailpit's web UI failed"
  [[ -f "$work/mailpit/server/ui/dist/app.js" ]] || die "Mailpit's web UI bundle is missing"
  rm -rf "$work/mailpit/node_modules"

  cp "$repo_root/tools/mailpit/go.mod" "$work/build.mod"
  cp "$repo_root/tools/mailpit/go.sum" "$work/build.sum"
  go mod edit -replace "github.com/axllent/mailpit=$work/mailpit" "$work/build.mod"
  (cd "$repo_root/tools/mailpit" &&
    go build -modfile="$work/build.mod" -trimpath -buildvcs=false \
      -ldflags "-X github.com/axllent/mailpit/config.Version=$version" -o "$out.tmp" .)
  mv "$out.tmp" "$out"
}

# Builds tool $1 (module $2) unless its binary exists; prints the binary's path.
ensure_tool() {
  local tool=$1 module=$2 version out started
  version=$(pinned_version "$tool" "$module")
  [[ -n "$version" ]] || die "tools/$tool/go.mod does not require $module"
  out=$(binary_path "$tool" "$version")

  if [[ ! -x "$out" ]]; then
    command -v go >/dev/null || die "Go 1.24 or newer is needed to build $tool (its module needs go 1.24)"
    mkdir -p "$bin_dir"
    # Parallel test workers may all ask at once on a fresh machine: one builds, the others wait.
    exec {lock_fd}>"$bin_dir/.$tool.lock"
    flock "$lock_fd"
    if [[ ! -x "$out" ]]; then
      log "building $tool $version into $out (first time only; takes a few minutes)"
      started=$SECONDS
      "build_$tool" "$out" "$version"
      log "built $tool in $((SECONDS - started))s"
      # Older builds of this tool are of no further use (a running one keeps its copy).
      find "$bin_dir" -maxdepth 1 -name "$tool-*" ! -path "$out" -delete
    fi
    exec {lock_fd}>&-
  fi
  printf '%s\n' "$out"
}

case "${1:-all}" in
  ferretdb) ensure_tool ferretdb github.com/FerretDB/FerretDB ;;
  mailpit) ensure_tool mailpit github.com/axllent/mailpit ;;
  all)
    ensure_tool ferretdb github.com/FerretDB/FerretDB
    ensure_tool mailpit github.com/axllent/mailpit
    ;;
  *) die "usage: $0 [ferretdb|mailpit|all]" ;;
esac
