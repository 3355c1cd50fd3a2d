#!/usr/bin/env bash
# What the Makefile's container targets run: `make up` and friends, made to work on a machine with
# only Debian's packages, and with clear messages where they cannot.
#
#   up [--build]       engine → public images (or stand-ins) → npm cache if a service image must be
#                      built → free ports → docker-compose up -d → wait until every container is healthy
#   build SERVICE...   build service images (with the npm cache where builds need it)
#   down               stop and remove the containers, their anonymous volumes and the network
#                      (named volumes keep the data)
#   wait               wait until every container of the stack is healthy (HEALTH_TIMEOUT, 300 s)
#   ports              check that the ports the stack publishes are free (or already the stack's)
#   compose ARGS...    docker-compose (or docker compose) with this project's files
#   docker ARGS...     the Docker client that builds with BuildKit (swarm and Caddy targets)
#
# Variables: COMPOSE_PROJECT_NAME (go-micro: another name is another stack, e.g. the tests'),
# PUBLISH_ADDR (127.0.0.1), BROKER_PORT (8080), FRONT_END_PORT (8081), DASHBOARD_PORT (8082), MAIL_UI_PORT
# (8025), RABBITMQ_UI_PORT (15672); CLIENT_PORTS=1 adds docker-compose.clients.yml with
# POSTGRES_HOST_PORT (5432), MONGO_HOST_PORT (27017), AMQP_HOST_PORT (5672), SMTP_HOST_PORT (1025).
set -euo pipefail
log_tag=stack
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

project=${COMPOSE_PROJECT_NAME:-go-micro}
health_timeout=${HEALTH_TIMEOUT:-300}

# Every published port: variable, default (the same as in the compose files), what it serves.
published_ports() {
  cat <<'PORTS'
BROKER_PORT 8080 the broker
FRONT_END_PORT 8081 the test page
DASHBOARD_PORT 8082 the logger's admin dashboard
MAIL_UI_PORT 8025 the mail catcher's web UI
RABBITMQ_UI_PORT 15672 RabbitMQ's management UI
PORTS
  if [[ "${CLIENT_PORTS:-}" == 1 ]]; then
    cat <<'PORTS'
POSTGRES_HOST_PORT 5432 Postgres, for a client
MONGO_HOST_PORT 27017 MongoDB, for a client
AMQP_HOST_PORT 5672 RabbitMQ's AMQP, for a client
SMTP_HOST_PORT 1025 the mail catcher's SMTP, for a client
PORTS
  fi
}

port_of() { local var=$1 default=$2; echo "${!var:-$default}"; }

# docker-compose with this project's files: the client-ports file on request, the npm cache's
# build arguments while it runs.
run_compose() {
  use_docker_client
  use_compose
  local files=(-f "$repo_root/project/docker-compose.yml")
  [[ "${CLIENT_PORTS:-}" != 1 ]] || files+=(-f "$repo_root/project/docker-compose.clients.yml")
  [[ -z "${BUILD_NPM_REGISTRY:-}" ]] || files+=(-f "$offline_dir/npm-cache.compose.yml")
  # The page calls the broker where the browser finds it: on the broker's published port.
  export BROKER_PUBLIC_URL=${BROKER_PUBLIC_URL:-http://localhost:$(port_of BROKER_PORT 8080)}
  # And the broker lets the page call it from where the browser finds the page.
  local page_port
  page_port=$(port_of FRONT_END_PORT 8081)
  export PAGE_ORIGINS=${PAGE_ORIGINS:-http://localhost:$page_port,http://127.0.0.1:$page_port}
  # The services trace to the stack's Jaeger when the observability profile runs it, and not at
  # all otherwise (the compose file's default is empty): with no collector, spans were made,
  # queued and dropped for every request, which cost the broker 30 MiB and a quarter of its rate
  # (tests/bench/README.md). An endpoint given, empty included, is passed on as it is.
  if [[ -z "${OTEL_EXPORTER_OTLP_ENDPOINT+set}" && ",${COMPOSE_PROFILES:-}," == *,observability,* ]]; then
    export OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318
  fi
  "${compose[@]}" -p "$project" --project-directory "$repo_root/project" "${files[@]}" "$@"
}

# The containers of the stack, running or not.
stack_containers() { "$docker" ps -a --filter "label=com.docker.compose.project=$project" --format '{{.Names}}' | sort; }

# True when something on this machine listens on TCP port $1.
port_in_use() {
  if command -v ss >/dev/null; then [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; fi
}

# A free port to suggest instead of $1: 10000 above it where possible, and none the stack publishes.
free_port_near() {
  local port=$(($1 + 10000 > 65535 ? $1 + 1 : $1 + 10000)) var default _ ours=" "
  while read -r var default _; do ours+="$(port_of "$var" "$default") "; done < <(published_ports)
  while port_in_use "$port" || [[ "$ours" == *" $port "* ]]; do port=$((port + 1)); done
  echo "$port"
}

# Fails naming the port and its variable when another program holds a port the stack publishes.
check_ports() {
  use_docker_client
  local var default what port ours taken=0 holder seen=" "
  # Ports the stack's own containers already publish are not in the way of `make up` again.
  ours=$("$docker" ps --filter "label=com.docker.compose.project=$project" --format '{{.Ports}}')
  while read -r var default what; do
    port=$(port_of "$var" "$default")
    if [[ "$seen" == *" $port "* ]]; then
      log "error: port $port is given to two things; $var ($what) must differ from the others"
      taken=1
      continue
    fi
    seen+="$port "
    grep -qE "[:.]$port->" <<<"$ours" && continue
    port_in_use "$port" || continue
    # The program that holds it, where ss may tell (root sees every process).
    holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(("[^"]*' | head -n1 | sed 's/users:(("//' || true)
    log "error: port $port ($what) is already taken${holder:+ by $holder} on this machine."
    log "  move it with $var, e.g.: make up $var=$(free_port_near "$port")"
    taken=1
  done < <(published_ports)
  ((taken == 0)) || exit 1
}

# Waits until every container of the stack is healthy; on time-out, shows why not.
wait_healthy() {
  use_docker_client
  local started=$SECONDS next_report=$((SECONDS + 15)) names name state pending
  while :; do
    names=$(stack_containers)
    [[ -n "$names" ]] || die "no container of the stack exists (make up starts them)"
    pending=()
    for name in $names; do
      state=$("$docker" inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$name")
      # A container without a health check (Jaeger's: its image has no shell to run one) counts once running.
      [[ "$state" == healthy || "$state" == running ]] || pending+=("$name ($state)")
    done
    if ((${#pending[@]} == 0)); then
      log "all $(wc -w <<<"$names") containers are healthy after $((SECONDS - started)) s"
      return 0
    fi
    if ((SECONDS - started >= health_timeout)); then
      log "error: after ${health_timeout} s these containers are not healthy: ${pending[*]}"
      for name in $names; do
        state=$("$docker" inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$name")
        [[ "$state" != healthy ]] || continue
        log "---- $name ($state), its last log lines:"
        "$docker" logs --tail 20 "$name" 2>&1 | sed 's/^/    /' >&2
        log "---- $name, its last health check said:"
        "$docker" inspect --format '{{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}}' "$name" |
          grep . | tail -n 5 | sed 's/^/    /' >&2 || echo "    (no check has finished yet)" >&2
      done
      log "(HEALTH_TIMEOUT=$health_timeout moves the limit; make down stops everything)"
      exit 1
    fi
    if ((SECONDS >= next_report)); then
      log "waiting for: ${pending[*]}"
      next_report=$((SECONDS + 15))
    fi
    sleep 2
  done
}

# The services compose builds (those with a build: section) and their images, one pair a line.
built_services() {
  run_compose config | awk '
    function emit() { if (build && image != "") print service, image; build = 0; image = "" }
    /^[^ ]/ { emit(); in_services = ($1 == "services:") }
    in_services && /^  [^ ]/ { emit(); service = $1; sub(/:$/, "", service) }
    $1 == "build:" { build = 1 }
    $1 == "image:" { image = $2 }
    END { emit() }'
}

# Those whose image is not on this machine yet.
missing_services() {
  local service image
  while read -r service image; do
    "$docker" image inspect "$image" >/dev/null 2>&1 || echo "$service"
  done < <(built_services)
}

# Starts the npm cache when builds need it and passes its address to them.
prepare_builds() {
  BUILD_NPM_REGISTRY=$("$offline_dir/npm-cache.sh" ensure)
  export BUILD_NPM_REGISTRY
}

up() {
  local build=${1:-} missing
  "$offline_dir/engine.sh" ensure
  use_docker_client
  # The public images of the services that will start (COMPOSE_PROFILES adds a profile's).
  "$offline_dir/images.sh" ensure compose
  if [[ "$build" == --build ]]; then
    run_compose down --remove-orphans
    prepare_builds
    run_compose build
  else
    missing=$(missing_services)
    if [[ -n "$missing" ]]; then
      log "building the images that are missing: $(tr '\n' ' ' <<<"$missing")"
      prepare_builds
      # shellcheck disable=SC2086 # one word per service name
      run_compose build $missing
    fi
  fi
  check_ports
  run_compose up -d --remove-orphans
  wait_healthy
  local addr=${PUBLISH_ADDR:-127.0.0.1}
  [[ "$addr" != 0.0.0.0 ]] || addr=localhost
  [[ "$addr" != 127.0.0.1 ]] || addr=localhost
  log "page http://$addr:$(port_of FRONT_END_PORT 8081)  broker http://$addr:$(port_of BROKER_PORT 8080)" \
    " dashboard http://$addr:$(port_of DASHBOARD_PORT 8082)/login  mail http://$addr:$(port_of MAIL_UI_PORT 8025)  rabbitmq http://$addr:$(port_of RABBITMQ_UI_PORT 15672) (guest/guest)"
}

build() {
  "$offline_dir/engine.sh" ensure
  # A service image needs only the node image it starts FROM.
  "$offline_dir/images.sh" ensure build
  prepare_builds
  run_compose build "$@"
}

down() {
  use_docker_client
  if ! "$docker" info >/dev/null 2>&1; then
    log "no Docker engine answers: nothing runs"
    return 0
  fi
  # An image's VOLUME that no compose volume covers (mongo's /data/configdb) gets an anonymous
  # volume per container; `rm -v` removes those with their containers. Named volumes stay.
  run_compose rm --stop --force -v
  run_compose down --remove-orphans
  local left
  left=$(stack_containers)
  [[ -z "$left" ]] || die "containers left behind: $left"
  left=$("$docker" network ls --filter "label=com.docker.compose.project=$project" --format '{{.Name}}')
  [[ -z "$left" ]] || die "networks left behind: $left"
}

case "${1:-}" in
  up) up "${2:-}" ;;
  build) shift; build "$@" ;;
  down) down ;;
  wait) wait_healthy ;;
  ports) check_ports ;;
  compose) shift; run_compose "$@" ;;
  docker) shift; use_docker_client; exec "$docker" "$@" ;;
  *) die "usage: $0 up [--build] | build SERVICE... | down | wait | ports | compose ARGS... | docker ARGS..." ;;
esac
