#!/usr/bin/env bash
# Makes sure a Docker engine answers before `make up` and friends, and stops only what it started.
#   ensure  docker info works, or: as root with apt, install docker.io + docker-compose, start
#           dockerd in the background (log in the cache dir) and record that this script started it;
#           otherwise say plainly what to install.
#   stop    stop the dockerd this script started (nothing else; a system service is left alone)
#   status  say whether an engine answers and who started it
# Why: the README's first command is `make up`; on a fresh Debian machine there is no engine yet.
set -euo pipefail
log_tag=engine
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pid_file="$state_dir/dockerd.pid"
dockerd_log="$state_dir/dockerd.log"

engine_answers() { [[ -n "${docker:-}" ]] && "$docker" info >/dev/null 2>&1; }

started_pid() {
  local pid
  [[ -f "$pid_file" ]] || return 1
  pid=$(<"$pid_file")
  # The pid must still be a dockerd: pids are reused after a reboot.
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] && printf '%s\n' "$pid"
}

no_engine() {
  local why
  why=$("${docker:-docker}" version --format '{{.Server.Version}}' 2>&1 | tail -n1 || true)
  if [[ "$why" == *"permission denied"* ]]; then
    cat >&2 <<MSG
engine: a Docker engine runs, but user $(id -un) may not use it ($why).
  Let your user use it (sudo usermod -aG docker $(id -un), then log in again), or run make as root.
MSG
    exit 1
  fi
  cat >&2 <<MSG
engine: no Docker engine answers${why:+ ($why)}.
  make up needs one. Install and start Docker Engine:
    Debian/Ubuntu:  sudo apt-get install docker.io docker-compose && sudo systemctl start docker
    elsewhere:      https://docs.docker.com/engine/install/
  then let your user use it (sudo usermod -aG docker \$USER, and log in again), or run make as root,
  in which case this script installs and starts it by itself.
MSG
  exit 1
}

ensure() {
  use_docker_client
  engine_answers && return 0
  [[ $(id -u) -eq 0 ]] || no_engine

  local have_compose=no
  { command -v docker-compose || docker compose version; } >/dev/null 2>&1 && have_compose=yes
  if ! command -v dockerd >/dev/null || [[ $have_compose == no ]]; then
    command -v apt-get >/dev/null || no_engine
    log "installing Docker from Debian's packages (docker.io, docker-compose)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q docker.io docker-compose >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q docker.io docker-compose >/dev/null; } ||
      die "apt-get install docker.io docker-compose failed"
    use_docker_client
  fi

  # A system service manager starts the packaged service; without one, start dockerd ourselves.
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    log "starting the docker service (systemctl start docker)"
    systemctl start docker
  elif ! started_pid >/dev/null; then
    log "starting dockerd in the background (log: $dockerd_log)"
    nohup dockerd >>"$dockerd_log" 2>&1 </dev/null &
    echo $! >"$pid_file"
  fi

  local waited=0
  until engine_answers; do
    ((waited < 60)) || die "dockerd did not answer within 60 s; its log: $dockerd_log"
    if [[ -f "$pid_file" ]] && ! started_pid >/dev/null; then
      tail -n 20 "$dockerd_log" >&2 || true
      rm -f "$pid_file"
      die "dockerd stopped at start; the lines above are the end of $dockerd_log"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "the engine answers ($("$docker" version --format 'server {{.Server.Version}}')); stop it with: $0 stop"
}

stop() {
  local pid waited=0
  if ! pid=$(started_pid); then
    rm -f "$pid_file"
    log "no dockerd started by this script is running; nothing to stop"
    return 0
  fi
  log "stopping dockerd (pid $pid), which this script started"
  kill -TERM "$pid"
  # dockerd stops its containers first, which may take their own grace period.
  while kill -0 "$pid" 2>/dev/null; do
    ((waited < 60)) || die "dockerd (pid $pid) still runs after 60 s"
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$pid_file"
}

status() {
  use_docker_client
  local pid
  if engine_answers; then
    if pid=$(started_pid); then echo "engine: running, started by this script (dockerd pid $pid)"
    else echo "engine: running, not started by this script"; fi
  else
    echo "engine: not answering"
  fi
}

case "${1:-}" in
  ensure) ensure ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 ensure|stop|status" ;;
esac
