#!/usr/bin/env bash
# Prints the directory where the project keeps what it builds outside the
# repository (the FerretDB and Mailpit binaries, dev-mode data). Sourced, it
# only defines go_micro_cache_dir, for the other scripts.

go_micro_cache_dir() {
  printf '%s\n' "${GO_MICRO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/go-micro-ts}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  go_micro_cache_dir
fi
