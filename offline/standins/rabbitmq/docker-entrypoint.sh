#!/usr/bin/env bash
# Entrypoint of the rabbitmq stand-in: RABBITMQ_DEFAULT_USER / _PASS / _VHOST (and their _FILE
# forms) become a config file, the data folder is the rabbitmq user's, and the server replaces this
# script as that user (PID 1; rabbitmq-server stops the node cleanly on SIGTERM).
set -Eeuo pipefail

# shellcheck source=offline/standins/file-env.sh
source /usr/local/lib/file-env.sh

[[ "$1" == rabbitmq-server ]] || exec "$@"

if [[ $(id -u) -eq 0 ]]; then
  file_env RABBITMQ_DEFAULT_USER
  file_env RABBITMQ_DEFAULT_PASS
  file_env RABBITMQ_DEFAULT_VHOST
  conf=/etc/rabbitmq/conf.d/20-environment.conf
  : >"$conf"
  [[ -z "${RABBITMQ_DEFAULT_USER:-}" ]] || echo "default_user = $RABBITMQ_DEFAULT_USER" >>"$conf"
  [[ -z "${RABBITMQ_DEFAULT_PASS:-}" ]] || echo "default_pass = $RABBITMQ_DEFAULT_PASS" >>"$conf"
  [[ -z "${RABBITMQ_DEFAULT_VHOST:-}" ]] || echo "default_vhost = $RABBITMQ_DEFAULT_VHOST" >>"$conf"
  chown rabbitmq:rabbitmq "$conf"
  chmod 600 "$conf"
  unset RABBITMQ_DEFAULT_PASS
  # A fresh volume is root's; the Erlang cookie must be readable by its owner only.
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "${BASH_SOURCE[0]}" "$@"
fi

exec "$@"
