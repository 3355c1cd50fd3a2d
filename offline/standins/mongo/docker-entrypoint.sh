#!/usr/bin/env bash
# Entrypoint of the mongo stand-in: turns what the official image takes (`mongod` and its flags,
# MONGO_INITDB_ROOT_USERNAME / _PASSWORD and their _FILE forms) into a FerretDB command line, and
# runs FerretDB in its place as the mongodb user (PID 1, so SIGTERM stops it).
set -Eeuo pipefail

# shellcheck source=offline/standins/file-env.sh
source /usr/local/lib/file-env.sh

# `docker run image --port 27018` passes flags to mongod.
if [[ "${1:0:1}" == - ]]; then set -- mongod "$@"; fi
[[ "$1" == mongod ]] || exec "$@"

if [[ $(id -u) -eq 0 ]]; then
  # As root: own the data folder (a fresh volume is root's), then run this script again as mongodb.
  chown -R mongodb:mongodb /data/db
  exec setpriv --reuid=mongodb --regid=mongodb --init-groups "${BASH_SOURCE[0]}" "$@"
fi

shift
port=27017
while (($#)); do
  case $1 in
    --port) port=$2; shift ;;
    --port=*) port=${1#*=} ;;
    --bind_ip_all | --auth | --noauth) ;; # FerretDB listens on every address; auth follows the user below
    *) echo "stand-in mongo: ignoring the mongod option $1 (FerretDB has no such option)" >&2 ;;
  esac
  shift
done

file_env MONGO_INITDB_ROOT_USERNAME
file_env MONGO_INITDB_ROOT_PASSWORD
user=${MONGO_INITDB_ROOT_USERNAME:-}
password=${MONGO_INITDB_ROOT_PASSWORD:-}
if [[ -n "$user" && -z "$password" ]] || [[ -z "$user" && -n "$password" ]]; then
  echo "error: set both MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD, or neither" >&2
  exit 1
fi
if compgen -G '/docker-entrypoint-initdb.d/*' >/dev/null; then
  echo "stand-in mongo: the scripts in /docker-entrypoint-initdb.d are NOT run by this stand-in" >&2
fi

args=(--handler=sqlite --sqlite-url=file:/data/db/ --state-dir=/data/db --listen-addr=":$port"
  --telemetry=disable --debug-addr=- --log-level="${FERRETDB_LOG_LEVEL:-error}")
if [[ -n "$user" ]]; then
  # As MongoDB with a root user: SCRAM logins, the user made in `admin` when /data/db is new.
  args+=(--test-enable-new-auth --setup-database=admin --setup-username="$user")
  export FERRETDB_SETUP_PASSWORD="$password" # out of the process list
fi
unset MONGO_INITDB_ROOT_PASSWORD
echo "stand-in mongo: FerretDB on port $port, data in /data/db, authentication $([[ -n $user ]] && echo "on (root user $user)" || echo off)"
exec ferretdb "${args[@]}"
