#!/usr/bin/env bash
# Shared by the scripts in offline/ (sourced, never run): paths, messages, and the
# choice of a Docker client and Compose that can build these images (BuildKit, for the
# Dockerfiles' `RUN --mount=type=cache`).

# shellcheck disable=SC2034 # these are for the scripts that source this file
offline_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$offline_dir/.." && pwd)
standins_dir="$offline_dir/standins"
# shellcheck source=scripts/cache-dir.sh
source "$repo_root/scripts/cache-dir.sh"
# Everything the container tooling keeps outside the repository: rootfs, logs, pids, verdaccio.
state_dir="$(go_micro_cache_dir)/containers"
mkdir -p "$state_dir"

log() { printf '%s: %s\n' "${log_tag:-containers}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${log_tag:-containers}" "$*" >&2; exit 1; }
# What a helper below calls when it cannot go on; a script may define its own (images.sh does).
fail() { die "$@"; }

# A message nobody scrolls past: used whenever an image is not the real one.
banner() {
  local line
  line=$(printf '%*s' 78 '' | tr ' ' '!')
  printf '\n%s\n' "$line" >&2
  printf '!! %s\n' "$@" >&2
  printf '%s\n\n' "$line" >&2
}

# BuildKit for every build: the Dockerfiles cache npm downloads with RUN --mount (also under Compose v1).
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1

# True when Docker client $1 can build with BuildKit: with the buildx plugin, or a client
# older than 23 whose built-in BuildKit DOCKER_BUILDKIT=1 turns on. (A newer client without
# buildx refuses to build at all while DOCKER_BUILDKIT=1.)
client_builds() {
  local major
  "$1" buildx version >/dev/null 2>&1 && return 0
  # "Docker version 20.10.24+dfsg1, build 297e128": works with no engine running, too.
  major=$("$1" --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
  [[ "$major" =~ ^[0-9]+$ ]] && ((major < 23))
}

# Puts a Docker client that builds first on PATH, through a folder holding only a link to it, so
# that Compose v1 (which runs `docker build` from PATH) uses it too. Sets $docker to its path.
use_docker_client() {
  local candidate shim="$state_dir/client-bin"
  docker=""
  for candidate in $(type -ap docker) /usr/bin/docker /usr/local/bin/docker; do
    candidate=$(readlink -f "$candidate") # through our own link to the real client
    [[ -x "$candidate" && "$candidate" != "$shim/docker" ]] || continue
    if client_builds "$candidate"; then docker=$candidate; break; fi
  done
  if [[ -z "$docker" ]]; then
    docker=$(type -P docker || true)
    [[ -n "$docker" ]] || return 0 # no client at all: engine.sh says what to install
    log "warning: $docker cannot build with BuildKit (no buildx plugin); install docker-buildx (or Debian's docker.io)"
  fi
  mkdir -p "$shim"
  [[ "$(readlink "$shim/docker" 2>/dev/null)" == "$docker" ]] || ln -sfn "$docker" "$shim/docker"
  case ":$PATH:" in *":$shim:"*) ;; *) export PATH="$shim:$PATH" ;; esac
}

# shellcheck disable=SC2034 # $compose is for the caller
# Sets the array $compose to `docker compose` (v2) or `docker-compose` (v1), whichever works.
use_compose() {
  if [[ -n "${docker:-}" ]] && "$docker" compose version >/dev/null 2>&1; then
    compose=("$docker" compose)
  elif command -v docker-compose >/dev/null; then
    compose=(docker-compose)
  else
    die "neither \`docker compose\` nor \`docker-compose\` is installed (Debian: apt-get install docker-compose; or Docker's compose plugin)"
  fi
}

# The node image the services' Dockerfile starts FROM, and the Node version its tag pins.
node_image() {
  awk 'toupper($1) == "FROM" && $2 ~ /^node:/ { print $2 }' "$repo_root/Dockerfile" | sort -u
}
node_version() { local tag=${1#node:}; echo "${tag%%-*}"; }

# ---- Node from the npm registry (the images' Node, and the one Verdaccio runs under) ----

arch() { case $(uname -m) in x86_64) echo x64 ;; aarch64 | arm64) echo arm64 ;; *) uname -m ;; esac; }

# npm pack <package>@<version> and unpack it into folder $2 (the registry checks its integrity).
npm_unpack() {
  local spec=$1 dest=$2 tmp file
  command -v npm >/dev/null || fail "npm is needed on this machine to fetch $spec"
  tmp=$(mktemp -d "$state_dir/pack.XXXXXX")
  file=$(cd "$tmp" && npm pack "$spec" --silent --pack-destination "$tmp" 2>/dev/null | tail -n1) ||
    { rm -rf "$tmp"; fail "npm pack $spec failed (is the npm registry reachable?)"; }
  mkdir -p "$dest"
  tar -xzf "$tmp/$file" -C "$dest" --strip-components=1
  rm -rf "$tmp"
}

# The Node binary of an image (npm package node-linux-<arch>), cached in the project cache.
node_binary() {
  local version=$1 dir
  dir="$(go_micro_cache_dir)/node/node-linux-$(arch)-$version"
  if [[ ! -x "$dir/bin/node" ]]; then
    log "fetching Node $version (npm package node-linux-$(arch))"
    npm_unpack "node-linux-$(arch)@$version" "$dir.partial"
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  echo "$dir/bin/node"
}
