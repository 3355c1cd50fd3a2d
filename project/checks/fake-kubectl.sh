#!/usr/bin/env bash
# kubectl as project/k8s/create-secrets.sh uses it, without a cluster, for the offline checks:
#   get secret NAME                         fails (no Secret exists yet)
#   create secret generic NAME --from-env-file=FILE --dry-run=client -o yaml
#                                           prints the Secret as kubectl does (values in base64)
#   apply -f -                              appends the manifest on its input to $FAKE_KUBECTL_APPLIED
# Every call's arguments are appended to $FAKE_KUBECTL_CALLS, one line each.
set -euo pipefail
printf '%s\n' "$*" >>"${FAKE_KUBECTL_CALLS:?}"

case "$1 ${2:-}" in
  "get secret") exit 1 ;;
  "apply -f")
    { cat; echo '---'; } >>"${FAKE_KUBECTL_APPLIED:?}"
    ;;
  "create secret")
    name=$4
    env_file=
    for arg in "$@"; do
      case $arg in --from-env-file=*) env_file=${arg#--from-env-file=} ;; esac
    done
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ndata:\n' "$name"
    while IFS= read -r line; do
      printf '  %s: "%s"\n' "${line%%=*}" "$(printf '%s' "${line#*=}" | base64 -w0)"
    done <"$env_file"
    ;;
  *)
    echo "fake-kubectl: not faked: $*" >&2
    exit 2
    ;;
esac
