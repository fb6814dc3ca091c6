# Shared helpers for deploy/local/*.sh. Source it; do not run it.
# shellcheck shell=bash

# Repository root, whatever the caller's current directory.
KOKUHO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
LOCAL_DIR="$KOKUHO_ROOT/.local"
DEPLOY_DIR="$KOKUHO_ROOT/deploy/local"

KAFKA_HOST=127.0.0.1
# Fixed non-default ports; overridable so a second checkout can run beside this one.
KAFKA_PORT=${KOKUHO_KAFKA_PORT:-59092}
KAFKA_CONTROLLER_PORT=${KOKUHO_KAFKA_CONTROLLER_PORT:-59093}
PG_HOST=127.0.0.1
PG_PORT=${KOKUHO_PG_PORT:-55432}
PG_ADMIN_USER=kokuho_admin
PG_ADMIN_PASSWORD=kokuho_admin # local development only
PG_ADMIN_DSN="postgresql://$PG_ADMIN_USER:$PG_ADMIN_PASSWORD@$PG_HOST:$PG_PORT/postgres"

log() { printf '[%s] %s\n' "${LOG_TAG:-local}" "$*"; }
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-local}" "$*" >&2; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# pid_alive PIDFILE PATTERN: true when the pid in PIDFILE runs and its command line matches PATTERN.
pid_alive() {
  local pidfile=$1 pattern=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q -- "$pattern"
}

# stop_pid PIDFILE PATTERN NAME [TIMEOUT]: SIGTERM, wait, then SIGKILL. No-op when not running.
stop_pid() {
  local pidfile=$1 pattern=$2 name=$3 timeout=${4:-60} pid i
  if ! pid_alive "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  log "stopping $name (pid $pid)"
  # A process started by spawn() under setsid leads its own process group: signal the whole group
  # (e.g. `uv run` and the python it started).
  local target=$pid
  [[ "$(ps -p "$pid" -o pgid= 2>/dev/null | tr -d ' ')" == "$pid" ]] && target=-$pid
  kill -TERM -- "$target" 2>/dev/null || true
  for ((i = 0; i < timeout * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${timeout}s; sending SIGKILL"
    kill -KILL -- "$target" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
}

# spawn LOGFILE PIDFILE CMD...: run CMD detached (own session when setsid exists, so it outlives
# the caller and its terminal), appending output to LOGFILE; the process writes its own pid.
spawn() {
  local logfile=$1 pidfile=$2 i
  shift 2
  rm -f "$pidfile"
  local -a detach=()
  command -v setsid >/dev/null 2>&1 && detach=(setsid)
  nohup ${detach[@]+"${detach[@]}"} bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "could not start: $* (see $logfile)"
}

# find_pg_bin: print the directory of the PostgreSQL server binaries (initdb, pg_ctl, postgres).
# Order: $PG_BIN, /usr/lib/postgresql/<highest>/bin (Debian/Ubuntu), Homebrew, pg_config --bindir,
# PATH. Prints nothing and returns 1 when none is found.
find_pg_bin() {
  local d
  local -a candidates=()
  [[ -n ${PG_BIN:-} ]] && candidates+=("$PG_BIN")
  if [[ -d /usr/lib/postgresql ]]; then
    while IFS= read -r d; do candidates+=("/usr/lib/postgresql/$d/bin"); done \
      < <(ls /usr/lib/postgresql 2>/dev/null | sort -rn)
  fi
  for d in /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin; do
    [[ -d $d ]] && candidates+=("$d")
  done
  command -v pg_config >/dev/null 2>&1 && candidates+=("$(pg_config --bindir 2>/dev/null || true)")
  command -v initdb >/dev/null 2>&1 && candidates+=("$(dirname "$(command -v initdb)")")
  for d in ${candidates[@]+"${candidates[@]}"}; do
    if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# pg_major BINDIR: the major version of the postgres binary in BINDIR (e.g. 15).
pg_major() {
  "$1/postgres" --version | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p'
}

# write_endpoints: (re)write the infrastructure part of .local/endpoints.json, keeping "services".
write_endpoints() {
  mkdir -p "$LOCAL_DIR"
  python3 - "$LOCAL_DIR/endpoints.json" "$KAFKA_HOST:$KAFKA_PORT" "$PG_ADMIN_DSN" <<'PY'
import json, os, sys
path, bootstrap, admin_dsn = sys.argv[1:]
try:
    with open(path) as f:
        services = json.load(f).get("services", {})
except (OSError, ValueError):
    services = {}
doc = {
    "kafka": {"bootstrap_servers": bootstrap},
    "postgres": {"admin_dsn": admin_dsn},
    "services": services,
}
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(tmp, path)
PY
}
