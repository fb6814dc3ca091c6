# Shared helpers for deploy/local/*.sh. Source it; do not run it.
# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file

# Repository root, whatever the caller's current directory.
KOKUHO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
LOCAL_DIR="$KOKUHO_ROOT/.local"
DEPLOY_DIR="$KOKUHO_ROOT/deploy/local"

KAFKA_HOST=127.0.0.1
# Fixed non-default ports; overridable so a second checkout can run beside this one.
KAFKA_PORT=${KOKUHO_KAFKA_PORT:-59092}
KAFKA_CONTROLLER_PORT=${KOKUHO_KAFKA_CONTROLLER_PORT:-59093}
# The broker's mutual-TLS listener (ADR 0099): client certificates from the local CA.
KAFKA_TLS_PORT=${KOKUHO_KAFKA_TLS_PORT:-59094}
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

# proc_running PID: true when PID is a live process (a zombie does not count).
proc_running() {
  local stat
  stat=$(ps -p "$1" -o stat= 2>/dev/null) || return 1
  [[ -n $stat && $stat != Z* ]]
}

# proc_args PID: the command line of PID (empty when it is gone).
proc_args() { ps -p "$1" -o args= 2>/dev/null || true; }

# group_members PGID: "pid args" per live process of process group PGID (nothing when none).
group_members() {
  ps -e -o pid= -o pgid= -o stat= -o args= 2>/dev/null |
    awk -v g="$1" '$2 == g && $3 !~ /^Z/ { pid = $1; sub(/^[ \t]*[0-9]+[ \t]+[0-9]+[ \t]+[^ \t]+[ \t]+/, ""); print pid, $0 }'
}

# pid_alive PIDFILE PATTERN: true when what spawn() recorded in PIDFILE still runs: the recorded
# process itself, or any process of the process group it leads (spawn starts each command in a
# session of its own, so when `uv run` dies its python server lives on in that group), with a
# command line matching PATTERN (grep).
pid_alive() {
  local pidfile=$1 pattern=$2 pid members
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  if proc_running "$pid" && grep -q -- "$pattern" <<<"$(proc_args "$pid")"; then
    return 0
  fi
  members=$(group_members "$pid")
  [[ -n $members ]] && grep -q -- "$pattern" <<<"$members"
}

# terminate TARGET NAME TIMEOUT: SIGTERM to TARGET (a pid, or -PGID for a whole process group),
# wait until it is gone, then SIGKILL.
terminate() {
  local target=$1 name=$2 timeout=$3 i
  kill -TERM -- "$target" 2>/dev/null || true
  for ((i = 0; i < timeout * 2; i++)); do
    target_gone "$target" && return 0
    sleep 0.5
  done
  log "$name did not stop within ${timeout}s; sending SIGKILL"
  kill -KILL -- "$target" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    target_gone "$target" && return 0
    sleep 0.5
  done
  log "WARNING: $name ($target) is still there after SIGKILL"
}

target_gone() {
  if [[ $1 == -* ]]; then
    [[ -z $(group_members "${1#-}") ]]
  else
    ! proc_running "$1"
  fi
}

# stop_pid PIDFILE PATTERN NAME [TIMEOUT]: stop what spawn() recorded in PIDFILE (its whole process
# group: `uv run` and the python it started, even when `uv run` already died); SIGTERM, wait, then
# SIGKILL. No-op when not running. Removes PIDFILE.
stop_pid() {
  local pidfile=$1 pattern=$2 name=$3 timeout=${4:-60} pid
  if ! pid_alive "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  if [[ -n $(group_members "$pid") ]]; then
    log "stopping $name (process group $pid)"
    terminate "-$pid" "$name" "$timeout"
  else # not started in a group of its own
    log "stopping $name (pid $pid)"
    terminate "$pid" "$name" "$timeout"
  fi
  rm -f "$pidfile"
}

# port_listeners PORT: the pids (one a line) of the processes listening on TCP PORT that this
# user can see. Linux: /proc; elsewhere lsof.
port_listeners() {
  if [[ -r /proc/net/tcp ]]; then
    python3 - "$1" <<'PY'
import os, sys
port = int(sys.argv[1])
sockets = set()
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    sockets.add(f"socket:[{fields[9]}]")
    except (OSError, StopIteration):
        pass
if sockets:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in sockets:
                    print(pid)
                    break
            except OSError:
                pass
PY
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -t -iTCP:"$1" -sTCP:LISTEN 2>/dev/null | sort -u || true
  fi
}

# stop_port_leftover PORT PATTERN NAME [TIMEOUT]: stop a process listening on PORT whose command
# line matches PATTERN: a server whose pid file went stale or was lost (e.g. its `uv run` wrapper
# was killed). Together with its process group when that group is not ours and holds nothing else
# (its leader is gone or matches PATTERN too). A listener that does not match is left alone.
stop_port_leftover() {
  local port=$1 pattern=$2 name=$3 timeout=${4:-30} pid args pgid leader target
  local mine
  mine=$(ps -p $$ -o pgid= 2>/dev/null | tr -d ' ')
  for pid in $(port_listeners "$port"); do
    args=$(proc_args "$pid")
    [[ -n $args ]] || continue
    if ! grep -q -- "$pattern" <<<"$args"; then
      log "port $port ($name) is held by pid $pid, which is not ours; left alone: $args"
      continue
    fi
    target=$pid
    pgid=$(ps -p "$pid" -o pgid= 2>/dev/null | tr -d ' ')
    if [[ -n $pgid && $pgid != "$mine" && $pgid != 1 ]]; then
      leader=""
      proc_running "$pgid" && leader=$(proc_args "$pgid")
      if [[ -z $leader ]] || grep -q -- "$pattern" <<<"$leader"; then
        target=-$pgid
      fi
    fi
    log "stopping $name, which no pid file tracks any more (pid $pid on port $port)"
    terminate "$target" "$name" "$timeout"
  done
}

# spawn LOGFILE PIDFILE CMD...: run CMD detached in a session (and process group) of its own, so
# that it outlives the caller and its terminal and can be stopped as a whole (stop_pid), appending
# output to LOGFILE. PIDFILE gets the pid of the session leader, which is also the process group
# id: CMD itself, exec'd by the leader.
spawn() {
  local logfile=$1 pidfile=$2 i
  shift 2
  rm -f "$pidfile"
  local -a detach=(setsid)
  if ! command -v setsid >/dev/null 2>&1; then # macOS: no setsid(1)
    detach=(python3 -c 'import os, sys
if os.getpid() == os.getpgrp() and os.fork():
    os._exit(0)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])')
  fi
  # shellcheck disable=SC2016 # $$, $0 and $@ are the inner bash's
  nohup "${detach[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "could not start: $* (see $logfile)"
}

# find_uv: print the path of uv, also where pip puts it outside PATH (the interpreter's scripts
# directory, the user scheme's, ~/.local/bin), or the one `uv run` names in $UV; returns 1 when
# there is none.
find_uv() {
  local d
  if [[ -n ${UV:-} && $UV == /* && -x $UV ]]; then
    echo "$UV"
    return 0
  fi
  if command -v uv >/dev/null 2>&1; then
    command -v uv
    return 0
  fi
  for d in $(python3 -c 'import os, sysconfig
print(sysconfig.get_path("scripts"))
print(sysconfig.get_path("scripts", f"{os.name}_user"))' 2>/dev/null) "$HOME/.local/bin"; do
    if [[ -x $d/uv ]]; then
      echo "$d/uv"
      return 0
    fi
  done
  return 1
}

# find_pg_bin: print the directory of the PostgreSQL server binaries (initdb, pg_ctl, postgres).
# Order: $PG_BIN, /usr/lib/postgresql/<highest>/bin (Debian/Ubuntu), Homebrew, pg_config --bindir,
# PATH. Prints nothing and returns 1 when none is found.
find_pg_bin() {
  local d
  local -a candidates=()
  [[ -n ${PG_BIN:-} ]] && candidates+=("$PG_BIN")
  if [[ -d /usr/lib/postgresql ]]; then
    # shellcheck disable=SC2012 # version-number directory names
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
  python3 - "$LOCAL_DIR/endpoints.json" "$KAFKA_HOST:$KAFKA_PORT" "$PG_ADMIN_DSN" \
    "$LOCAL_DIR/kafka/users.json" "$KAFKA_HOST:$KAFKA_TLS_PORT" "$LOCAL_DIR/tls" <<'PY'
import json, os, sys
path, bootstrap, admin_dsn, users_path, tls_bootstrap, tls_dir = sys.argv[1:]
try:
    with open(users_path) as f:
        users = json.load(f)
except (OSError, ValueError):
    users = {}
try:
    with open(path) as f:
        services = json.load(f).get("services", {})
except (OSError, ValueError):
    services = {}
doc = {
    # Every client authenticates as its own user (ADR 0086); the passwords are local only.
    "kafka": {
        "bootstrap_servers": bootstrap,
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "users": users,
        # the mutual-TLS listener (ADR 0099): <clients_dir>/<user>.crt and .key per user
        "tls": {
            "bootstrap_servers": tls_bootstrap,
            "security_protocol": "SSL",
            "ca_file": os.path.join(tls_dir, "ca.crt"),
            "clients_dir": os.path.join(tls_dir, "kafka-clients"),
        },
    },
    "postgres": {"admin_dsn": admin_dsn},
    "services": services,
}
tmp = path + ".tmp"
with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(tmp, path)
PY
}
