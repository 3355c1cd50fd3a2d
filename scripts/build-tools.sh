#!/usr/bin/env bash
# Builds a Go program from the Go module proxy (sources pinned by its go.mod and go.sum)
# into the project cache, unless it is built already. Two folders hold them:
#   offline/tools/    the servers this machine cannot download (offline/README.md): ferretdb and
#                     mailpit for the tests and `make dev`, jaeger too, ferretdb-server for a stand-in
#   project/checks/validators/{compose-check,k8s-check,actionlint}   the deployment checks' validators,
#                     beside the checks that use them (project/checks)
# A tool is built with `go build .` in its folder, or by the build_tool function of
# its own build.sh where it needs more. The binary is named after a hash
# of the tool's files, so a second run is instant and a changed tool is rebuilt.
# Prints the path of each binary, one per line, on stdout; progress goes to stderr.
#
# usage: scripts/build-tools.sh <name>... | all
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/cache-dir.sh
source "$repo_root/scripts/cache-dir.sh"
cache_dir=$(go_micro_cache_dir)
bin_dir="$cache_dir/tools"

# Pure Go everywhere (SQLite included): no C compiler needed, and static binaries.
export CGO_ENABLED=0

log() { printf 'build-tools: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

tool_folders=("$repo_root/offline/tools" "$repo_root/project/checks/validators")

# The folder of tool $1, in the first of tool_folders that has it.
tool_dir() {
  local folder
  for folder in "${tool_folders[@]}"; do
    [[ -f "$folder/$1/go.mod" ]] && { printf '%s\n' "$folder/$1"; return 0; }
  done
  die "no tool named $1 (no $1/go.mod in offline/tools/ or project/checks/validators/)"
}

# Every tool's name.
all_tools() {
  local folder dir
  for folder in "${tool_folders[@]}"; do
    for dir in "$folder"/*/; do [[ ! -f "$dir/go.mod" ]] || basename "$dir"; done
  done
}

# Path of the binary for tool $1: changes whenever a file of its folder does.
binary_path() {
  local hash
  hash=$(cd "$(tool_dir "$1")" && find . -type f -not -name '*.md' | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)
  printf '%s/%s-%s\n' "$bin_dir" "$1" "$hash"
}

# The default recipe; a tool's build.sh may define its own.
build_tool() { go build -trimpath -buildvcs=false -o "$1" .; }

# For a build.sh that must change its module before building it (Mailpit's web UI,
# Jaeger's patch): copy_module copies module $1, as go.mod pins it, to $work/src, and
# build_copied builds package $1 into $2 through a replace of that module by the copy,
# in a throwaway go.mod; further arguments go to go build. Both run in the tool's folder.
copy_module() {
  local src
  module=$1
  work=$(mktemp -d "$cache_dir/build.XXXXXX")
  src=$(go mod download "$module" && go list -m -f '{{.Dir}}' "$module")
  cp -R "$src" "$work/src"
  chmod -R u+w "$work/src" # the module cache is read-only
}
build_copied() {
  local package=$1 out=$2
  shift 2
  cp go.mod "$work/build.mod"
  cp go.sum "$work/build.sum"
  go mod edit -replace "$module=$work/src" "$work/build.mod"
  go build -modfile="$work/build.mod" -trimpath -buildvcs=false "$@" -o "$out" "$package"
}
# The version go.mod requires of module $1.
pinned_version() { awk -v m="$1" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' go.mod; }

# Scratch space of a build that copies its module, removed however the build ends.
work=""
trap '[[ -z "$work" ]] || rm -rf "$work"' EXIT

# Builds tool $1 unless its binary exists; prints the binary's path.
ensure_tool() {
  local tool=$1 dir out started
  dir=$(tool_dir "$tool")
  out=$(binary_path "$tool")
  if [[ ! -x "$out" ]]; then
    command -v go >/dev/null || die "Go 1.24 or newer is needed to build $tool (see ${dir#"$repo_root/"}/go.mod)"
    mkdir -p "$bin_dir"
    # Parallel callers on a fresh machine: one builds, the others wait for it.
    exec {lock_fd}>"$bin_dir/.$tool.lock"
    flock "$lock_fd"
    if [[ ! -x "$out" ]]; then
      log "building $tool into $out (first time only; takes up to a few minutes)"
      started=$SECONDS
      (
        cd "$dir"
        # shellcheck disable=SC1091
        [[ ! -f build.sh ]] || source ./build.sh
        build_tool "$out.tmp"
      ) || die "building $tool failed; its messages are above"
      mv "$out.tmp" "$out"
      log "built $tool in $((SECONDS - started))s"
      # Binaries of this tool's earlier sources are of no further use (a running one keeps its copy).
      find "$bin_dir" -maxdepth 1 -name "$tool-*" ! -path "$out" -delete
    fi
    exec {lock_fd}>&-
  fi
  printf '%s\n' "$out"
}

(($# > 0)) || die "usage: $0 <tool>... | all   (tools: $(all_tools | tr '\n' ' '))"
# shellcheck disable=SC2046 # one word per tool
if [[ $1 == all ]]; then set -- $(all_tools); fi
for tool in "$@"; do ensure_tool "$tool"; done
