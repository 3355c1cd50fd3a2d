#!/usr/bin/env bash
# Entrypoint of the postgres stand-in: what the official image's entrypoint does that this project
# (or a user of the image) relies on. On an empty PGDATA: initdb with POSTGRES_USER and
# POSTGRES_PASSWORD, password logins from other hosts, POSTGRES_DB created, init scripts run.
# Then the server replaces this script (PID 1), as the postgres user.
set -Eeuo pipefail

# shellcheck source=offline/standins/file-env.sh
source /usr/local/lib/file-env.sh

# `docker run image -c shared_buffers=256MB` passes flags to postgres.
if [[ "${1:0:1}" == - ]]; then set -- postgres "$@"; fi

if [[ "$1" == postgres && $(id -u) -eq 0 ]]; then
  # As root: own the data folder (a fresh volume is root's), then run this script again as postgres.
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ "$1" == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [[ -z "$POSTGRES_PASSWORD" && "$auth" != trust ]]; then
    echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set;" \
      "set it (or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without one)" >&2
    exit 1
  fi

  echo "stand-in postgres: initializing $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of flags
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host="$auth" $POSTGRES_INITDB_ARGS >/dev/null
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

  # A server on the socket only while the database is made and the init scripts run.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres)
  if [[ "$POSTGRES_DB" != postgres ]]; then
    "${psql[@]}" -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >/dev/null
  fi
  psql+=(--dbname "$POSTGRES_DB")
  for f in /docker-entrypoint-initdb.d/*; do
    # shellcheck disable=SC1090 # the init scripts are the user's
    case $f in
      *.sh) echo "running $f"; if [[ -x $f ]]; then "$f"; else source "$f"; fi ;;
      *.sql) echo "running $f"; "${psql[@]}" -f "$f" ;;
      *.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" ;;
      *) [[ ! -e $f ]] || echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "stand-in postgres: ready to start"
fi

exec "$@"
