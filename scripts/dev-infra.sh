#!/usr/bin/env bash
# Runs, in the foreground, what native dev mode (`make dev`) needs besides
# Postgres and RabbitMQ:
#   FerretDB  MongoDB protocol on 127.0.0.1:27017 (no auth; data kept under the cache dir)
#   Mailpit   SMTP on 127.0.0.1:1025, web UI and API on http://127.0.0.1:8025
#   Jaeger    OTLP in on 127.0.0.1:4317 (gRPC) and 4318 (HTTP), query API on http://127.0.0.1:16686 (offline/tools/jaeger)
#   Prometheus  scraping every service, UI on http://127.0.0.1:9090 (Debian's, when installed: make setup)
# Ctrl-C or SIGTERM stops them all; if one stops, the others are stopped too.
# Addresses can be changed with DEV_MONGO_ADDR, DEV_SMTP_ADDR, DEV_MAIL_UI_ADDR; Jaeger's with the
# JAEGER_* variables of offline/tools/jaeger/config.yaml.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/cache-dir.sh
source "$repo_root/scripts/cache-dir.sh"
data_dir="$(go_micro_cache_dir)/dev-data"

mongo_addr=${DEV_MONGO_ADDR:-127.0.0.1:27017}
smtp_addr=${DEV_SMTP_ADDR:-127.0.0.1:1025}
ui_addr=${DEV_MAIL_UI_ADDR:-127.0.0.1:8025}

log() { printf 'dev-infra: %s\n' "$*" >&2; }

# True when something already accepts connections on host:port.
in_use() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

taken=0
for entry in "MongoDB (FerretDB):$mongo_addr:DEV_MONGO_ADDR" \
  "SMTP (Mailpit):$smtp_addr:DEV_SMTP_ADDR" \
  "mail web UI (Mailpit):$ui_addr:DEV_MAIL_UI_ADDR" \
  "OTLP HTTP (Jaeger):${JAEGER_OTLP_HTTP_ADDR:-127.0.0.1:4318}:JAEGER_OTLP_HTTP_ADDR" \
  "trace query API (Jaeger):${JAEGER_QUERY_HTTP_ADDR:-127.0.0.1:16686}:JAEGER_QUERY_HTTP_ADDR"; do
  IFS=: read -r what host port var <<<"$entry"
  if in_use "$host:$port"; then
    log "$host:$port for $what is already in use (dev-infra already running, or another server?); stop it or set $var"
    taken=1
  fi
done
((taken == 0)) || exit 1

ferretdb=$("$repo_root/scripts/build-tools.sh" ferretdb)
mailpit=$("$repo_root/scripts/build-tools.sh" mailpit)
jaeger=$("$repo_root/scripts/build-tools.sh" jaeger)
mkdir -p "$data_dir"

pids=()
stop_all() {
  trap - INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
# Forward the signal to both servers, wherever it came from (Ctrl-C, make, a process manager).
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

FERRETDB_LOG_LEVEL=${FERRETDB_LOG_LEVEL:-error} \
  "$ferretdb" -listen-addr "$mongo_addr" -sqlite-dir "$data_dir/ferretdb" &
pids+=("$!")
"$mailpit" --smtp "$smtp_addr" --listen "$ui_addr" --database "$data_dir/mailpit.db" \
  --disable-version-check --smtp-disable-rdns --smtp-auth-accept-any --smtp-auth-allow-insecure &
pids+=("$!")
JAEGER_LOG_LEVEL=${JAEGER_LOG_LEVEL:-warn} "$jaeger" --config "$repo_root/offline/tools/jaeger/config.yaml" &
pids+=("$!")
prometheus_addr=${DEV_PROMETHEUS_ADDR:-127.0.0.1:9090}
if command -v prometheus >/dev/null && ! in_use "$prometheus_addr"; then
  prometheus --config.file="$repo_root/project/prometheus/prometheus.dev.yml" --storage.tsdb.path="$data_dir/prometheus" \
    --web.listen-address="$prometheus_addr" --log.level=warn &
  pids+=("$!")
  log "metrics: http://$prometheus_addr (Prometheus, scraping every service's /metrics)"
else
  log "no Prometheus started (not installed, or $prometheus_addr in use): each service's /metrics still answers"
fi

log "MongoDB: mongodb://$mongo_addr  SMTP: $smtp_addr  mail UI: http://$ui_addr  traces: http://${JAEGER_QUERY_HTTP_ADDR:-127.0.0.1:16686}/api/services  (Ctrl-C stops them all)"

status=0
wait -n || status=$?
log "a server stopped (status $status); stopping the others"
stop_all
exit "$status"
