#!/usr/bin/env bash
# An npm registry cache for image builds, started only where they need it. Where `npm` inside a
# container cannot reach the npm registry (here: the containers do not trust the TLS certificate
# the host's network presents), Verdaccio runs on the host, on the docker0 bridge address, and
# proxies the registry the host's npm uses; image builds get its address as NPM_CONFIG_REGISTRY.
# A machine whose containers reach the registry never starts it.
#
#   ensure  print the registry URL builds should use: empty for the public registry, or the cache's
#   stop    stop the Verdaccio this script started
#   status  say whether it runs
# Verdaccio is installed from verdaccio/package-lock.json into the cache dir, runs under the
# images' Node (Verdaccio 6 needs Node 22+), and keeps its packages under the cache dir too.
set -euo pipefail
log_tag=npm-cache
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

home="$state_dir/verdaccio"
pid_file="$home/verdaccio.pid"
port=${NPM_CACHE_PORT:-4873}

running_pid() {
  local pid
  [[ -f "$pid_file" ]] || return 1
  pid=$(<"$pid_file")
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q verdaccio && echo "$pid"
}

# The docker0 bridge's address: reachable from builds and containers, not from other machines.
# (The default bridge often names no gateway: then the address of its interface, docker0.)
bridge_address() {
  local address name
  address=$("$docker" network inspect bridge --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
  if [[ -z "$address" ]]; then
    name=$("$docker" network inspect bridge --format '{{index .Options "com.docker.network.bridge.name"}}')
    address=$(ip -4 -o addr show dev "${name:-docker0}" 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
  fi
  [[ -n "$address" ]] || die "cannot tell the address of Docker's bridge (docker network inspect bridge)"
  echo "$address"
}

# True when npm in a container (the node image) answers `npm ping` against registry $1 (default: npm's own).
container_reaches() {
  timeout 60 "$docker" run --rm ${1:+-e NPM_CONFIG_REGISTRY="$1"} "$(node_image)" \
    npm ping --fetch-timeout=20000 --fetch-retries=0 >/dev/null 2>&1
}

answers() { "$node" -e "fetch('$1/-/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }

install_verdaccio() {
  local hash app
  hash=$(cat "$offline_dir/verdaccio/package.json" "$offline_dir/verdaccio/package-lock.json" | sha256sum | cut -c1-12)
  app="$home/app-$hash"
  if [[ ! -f "$app/node_modules/verdaccio/package.json" ]]; then
    log "installing Verdaccio from offline/verdaccio/package-lock.json (once)"
    rm -rf "$app" && mkdir -p "$app"
    cp "$offline_dir/verdaccio/package.json" "$offline_dir/verdaccio/package-lock.json" "$app/"
    # Under the Node it will run on, so engines and any native parts match.
    (cd "$app" && PATH="$(dirname "$node"):$PATH" npm ci --omit=dev --no-audit --no-fund --silent >&2) ||
      die "installing Verdaccio failed"
    find "$home" -maxdepth 1 -name 'app-*' ! -path "$app" -exec rm -rf {} +
  fi
  echo "$app/node_modules/verdaccio/bin/verdaccio"
}

write_config() {
  local uplink
  uplink=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)
  cat >"$home/config.yaml" <<CONFIG
# Written by offline/npm-cache.sh: a read-only cache of $uplink for image builds.
storage: ./storage
uplinks:
  npmjs:
    url: $uplink
    timeout: 60s
packages:
  '**':
    access: \$all
    publish: nobody
    proxy: npmjs
log: { type: stdout, format: pretty, level: warn }
CONFIG
}

ensure() {
  use_docker_client
  node=$(node_binary "$(node_version "$(node_image)")")
  local address url pid waited=0
  address=$(bridge_address)
  url="http://$address:$port"

  if running_pid >/dev/null && answers "$url"; then echo "$url"; return 0; fi
  if container_reaches ""; then
    log "npm in a container reaches the registry: image builds use it directly"
    echo ""
    return 0
  fi

  log "npm in a container cannot reach the registry: starting Verdaccio on $url for image builds"
  mkdir -p "$home/storage"
  local verdaccio
  verdaccio=$(install_verdaccio)
  write_config
  nohup "$node" "$verdaccio" --config "$home/config.yaml" --listen "$url" >>"$home/verdaccio.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  until answers "$url"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$home/verdaccio.log" >&2; die "Verdaccio stopped at start (log: $home/verdaccio.log)"; }
    ((waited < 30)) || die "Verdaccio did not answer on $url within 30 s (log: $home/verdaccio.log)"
    sleep 1
    waited=$((waited + 1))
  done
  container_reaches "$url" ||
    die "containers cannot reach Verdaccio on $url either (a firewall on docker0?); log: $home/verdaccio.log"
  log "Verdaccio answers containers on $url (stop it with: $0 stop)"
  echo "$url"
}

stop() {
  local pid
  if pid=$(running_pid); then
    log "stopping Verdaccio (pid $pid)"
    kill -TERM "$pid"
  else
    log "no Verdaccio started by this script is running"
  fi
  rm -f "$pid_file"
}

case "${1:-}" in
  ensure) ensure ;;
  stop) stop ;;
  status) if pid=$(running_pid); then echo "npm-cache: Verdaccio running (pid $pid), log $home/verdaccio.log"; else echo "npm-cache: not running"; fi ;;
  *) die "usage: $0 ensure|stop|status" ;;
esac
