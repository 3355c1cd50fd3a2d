#!/usr/bin/env bash
# Makes sure a Postgres answers on PGHOST:PGPORT (127.0.0.1:5432 by default) and
# that the database the authentication service uses exists. On Debian it starts
# a stopped cluster, since that is what a fresh boot of such a machine looks like.
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
database="${1:-users}"

if ! pg_isready -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    echo "postgres: not answering on $PGHOST:$PGPORT; starting cluster $version/main" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi
if ! pg_isready -q; then
  echo "postgres: nothing answers on $PGHOST:$PGPORT. Install and start PostgreSQL (Debian: apt-get install postgresql), or set PGHOST/PGPORT." >&2
  exit 1
fi

if [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
  createdb "$database"
  echo "postgres: created database $database" >&2
fi
