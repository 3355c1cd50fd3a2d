# Sourced by the stand-ins' entrypoints (postgres, mongo, rabbitmq): what the official images
# do with VAR and VAR_FILE (Docker secrets).

# Exports VAR from the environment, or from the file VAR_FILE names, or default $2; unsets VAR_FILE.
file_env() {
  local var=$1 file_var="${1}_FILE" default=${2:-}
  if [[ -n "${!var:-}" && -n "${!file_var:-}" ]]; then
    echo "error: both $var and $file_var are set (but are exclusive)" >&2
    exit 1
  fi
  local value=$default
  if [[ -n "${!var:-}" ]]; then value=${!var}; elif [[ -n "${!file_var:-}" ]]; then value=$(<"${!file_var}"); fi
  export "$var"="$value"
  unset "$file_var"
}
