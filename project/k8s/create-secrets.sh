#!/usr/bin/env bash
# Creates the two Secrets the manifests of project/k8s read, with random values, before the first
# `kubectl apply -f project/k8s`; the repository holds no credential of a cluster:
#   go-micro-credentials  the databases' and RabbitMQ's users and passwords, the services' DSN and
#                         RABBIT_URL made from them, TOKEN_SECRET and SESSION_SECRET
#   go-micro-admin        the seeded admin's password (ADMIN_PASSWORD_FILE of the authentication service)
# It prints no value. Read one back when needed, e.g. the admin's password:
#   kubectl get secret go-micro-admin -o jsonpath='{.data.password}' | base64 -d
# A Secret that already exists is kept: Postgres, MongoDB and RabbitMQ keep the password they were
# first started with in their volumes, so new values would lock the services out of them.
#
# Environment (all optional):
#   KUBECTL                    the kubectl command, with its options (default: kubectl), e.g. "kubectl -n shop"
#   ADMIN_PASSWORD             the admin's password to use instead of a random one
#   MAIL_USERNAME, MAIL_PASSWORD   a real SMTP relay's login (default: none, as the mail catcher wants)
set -euo pipefail

read -r -a kubectl <<<"${KUBECTL:-kubectl}"
umask 077
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# 32 random bytes as 64 hex digits: safe in a URL, a DSN and a shell word as they are.
random() {
  if command -v openssl >/dev/null; then
    openssl rand -hex 32
  else
    od -An -tx1 -N32 /dev/urandom | tr -d ' \n'
  fi
}

# Creates Secret $1 from the key=value pairs that follow, unless it exists; the values go through a
# file only this user can read, never kubectl's command line (which `ps` shows to every user).
create() {
  local name=$1
  shift
  if "${kubectl[@]}" get secret "$name" >/dev/null 2>&1; then
    echo "create-secrets: Secret $name exists; kept as it is (delete it first to make new values)"
    return
  fi
  printf '%s\n' "$@" >"$workdir/$name.env"
  "${kubectl[@]}" create secret generic "$name" --from-env-file="$workdir/$name.env" --dry-run=client -o yaml |
    "${kubectl[@]}" apply -f - >/dev/null
  rm -f "$workdir/$name.env"
  echo "create-secrets: created Secret $name"
}

postgres_user=postgres
postgres_password=$(random)
mongo_user=admin
mongo_password=$(random)
rabbitmq_user=go-micro
rabbitmq_password=$(random)

create go-micro-credentials \
  "postgres-user=$postgres_user" \
  "postgres-password=$postgres_password" \
  "dsn=host=postgres port=5432 user=$postgres_user password=$postgres_password dbname=users sslmode=disable timezone=UTC connect_timeout=5" \
  "mongo-user=$mongo_user" \
  "mongo-password=$mongo_password" \
  "rabbitmq-user=$rabbitmq_user" \
  "rabbitmq-password=$rabbitmq_password" \
  "rabbit-url=amqp://$rabbitmq_user:$rabbitmq_password@rabbitmq" \
  "token-secret=$(random)" \
  "session-secret=$(random)" \
  "mail-username=${MAIL_USERNAME:-}" \
  "mail-password=${MAIL_PASSWORD:-}"

create go-micro-admin "password=${ADMIN_PASSWORD:-$(random)}"
