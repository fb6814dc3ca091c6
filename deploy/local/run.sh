#!/usr/bin/env bash
# Start every service under services/*/ (a directory with a pyproject.toml) against the local
# infrastructure, and record it in .local/endpoints.json.
#   deploy/local/run.sh [start]   migrate, seed, then serve each service in the background
#   deploy/local/run.sh stop      stop the services started here
#   deploy/local/run.sh status
#
# For services/<name>/ (sorted by name, the i-th one gets port 8000+i):
#   uv run python -m kokuho.<name_with_underscores> migrate
#   uv run python -m kokuho.<name_with_underscores> seed
#   uv run python -m kokuho.<name_with_underscores> serve        (background, .local/run/<name>.pid)
# each with this environment (<N> = name upper-cased, '-' -> '_', the prefix of the service's
# kokuho.platform.settings.ServiceSettings subclass; <n> = name with '_'):
#   KOKUHO_<N>_HTTP_HOST/_HTTP_PORT      127.0.0.1 / 800i  (serve must bind there; also exported
#                                        without the <N>_ part)
#   KOKUHO_<N>_DATABASE_DSN              postgresql://kokuho_<n>:kokuho_<n>@127.0.0.1:55432/kokuho_<n>
#                                        (local development credentials; `migrate` creates the
#                                        role and database with the admin DSN)
#   KOKUHO_<N>_KAFKA_BOOTSTRAP_SERVERS   127.0.0.1:59092
#   KOKUHO_<N>_AUTH_PUBLIC_KEY_PATH      .local/dev-issuer/public.pem (the key `make token` signs with)
#   KOKUHO_PG_ADMIN_DSN                  the superuser DSN
#   KOKUHO_ENDPOINTS                     .local/endpoints.json (every service's base URL)
#   KOKUHO_SERVICE_NAME                  <name>
# Logs: .local/run/<name>.log. The infrastructure must be up (make up; make run does it).
#
# Simulators: before the services, every line "<sim> <module> <SETTING>" of
# services/<name>/simulators/simulators.txt starts `python -m <module> <sim> --port 81jj` (with
# that directory on PYTHONPATH; pid and log under .local/run/simulators/), is recorded in
# endpoints.json under "simulators", and <name> gets SETTING=http://127.0.0.1:81jj.
set -euo pipefail
LOG_TAG=run
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_DIR="$LOCAL_DIR/run"
ENDPOINTS="$LOCAL_DIR/endpoints.json"
BASE_PORT=8000
SIM_BASE_PORT=8100
SIM_DIR="$RUN_DIR/simulators"
declare -A SIM_ENV=() # service name -> its simulator settings, one VAR=url a line
SERVE_TIMEOUT=${KOKUHO_SERVE_TIMEOUT:-60}

services() { # name per line, sorted
  local d
  for d in "$KOKUHO_ROOT"/services/*/; do
    [[ -f $d/pyproject.toml ]] && basename "$d"
  done | LC_ALL=C sort
}

# record_services NAME=PORT...: set endpoints.json "services" to exactly these.
record_services() {
  [[ -f $ENDPOINTS ]] || write_endpoints
  python3 - "$ENDPOINTS" "$PG_HOST" "$PG_PORT" "$RUN_DIR" "$@" <<'PY'
import json, os, sys
path, pg_host, pg_port, run_dir, *entries = sys.argv[1:]
with open(path) as f:
    doc = json.load(f)
services = {}
for entry in entries:
    name, port = entry.split("=")
    db = "kokuho_" + name.replace("-", "_")
    base = f"http://127.0.0.1:{port}"
    services[name] = {
        "base_url": base,
        "docs_url": base + "/docs",
        "dsn": f"postgresql://{db}:{db}@{pg_host}:{pg_port}/{db}",
        "log": os.path.join(run_dir, name + ".log"),
    }
doc["services"] = services
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(tmp, path)
PY
}

# start_simulators: start every declared simulator (idempotent), fill SIM_ENV, record them.
start_simulators() {
  mkdir -p "$SIM_DIR"
  local svc decl sim module setting port logf pidf j=0
  local -a recorded=()
  while IFS= read -r svc; do
    decl="$KOKUHO_ROOT/services/$svc/simulators/simulators.txt"
    [[ -f $decl ]] || continue
    while read -r sim module setting; do
      [[ -z $sim || $sim == \#* ]] && continue
      j=$((j + 1))
      port=$((SIM_BASE_PORT + j))
      logf="$SIM_DIR/$sim.log"
      pidf="$SIM_DIR/$sim.pid"
      SIM_ENV[$svc]+="$setting=http://127.0.0.1:$port"$'\n'
      recorded+=("$sim=$port=$svc")
      if pid_alive "$pidf" " $sim --port"; then
        log "simulator $sim already running (pid $(<"$pidf")) on port $port"
        continue
      fi
      port_open 127.0.0.1 "$port" && die "port $port (for simulator $sim) is in use by another process"
      log "simulator $sim (for $svc): serve on http://127.0.0.1:$port"
      (cd "$KOKUHO_ROOT" && spawn "$logf" "$pidf" env "PYTHONPATH=$KOKUHO_ROOT/services/$svc/simulators" \
        uv run python -m "$module" "$sim" --port "$port")
      local deadline=$((SECONDS + SERVE_TIMEOUT))
      until port_open 127.0.0.1 "$port"; do
        if ! pid_alive "$pidf" " $sim --port"; then
          tail -n 20 "$logf" >&2
          die "simulator $sim exited during startup; see $logf"
        fi
        ((SECONDS < deadline)) || die "simulator $sim did not listen on port $port; see $logf"
        sleep 0.5
      done
    done <"$decl"
  done < <(services)
  record_simulators "${recorded[@]}"
}

# record_simulators NAME=PORT=SERVICE...: set endpoints.json "simulators" to exactly these.
record_simulators() {
  [[ -f $ENDPOINTS ]] || write_endpoints
  python3 - "$ENDPOINTS" "$SIM_DIR" "$@" <<'PY'
import json, os, sys
path, sim_dir, *entries = sys.argv[1:]
with open(path) as f:
    doc = json.load(f)
sims = {}
for entry in entries:
    name, port, service = entry.split("=")
    sims[name] = {
        "base_url": f"http://127.0.0.1:{port}",
        "for_service": service,
        "log": os.path.join(sim_dir, name + ".log"),
    }
doc["simulators"] = sims
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(tmp, path)
PY
}

service_env() { # service_env NAME PORT: print the environment for NAME, one VAR=value a line
  local name=$1 port=$2 db prefix
  db="kokuho_${name//-/_}"
  prefix="KOKUHO_$(tr '[:lower:]-' '[:upper:]_' <<<"$name")_"
  printf '%s\n' \
    "KOKUHO_SERVICE_NAME=$name" \
    "KOKUHO_PG_ADMIN_DSN=$PG_ADMIN_DSN" \
    "KOKUHO_ENDPOINTS=$ENDPOINTS" \
    "KOKUHO_HTTP_HOST=127.0.0.1" \
    "KOKUHO_HTTP_PORT=$port" \
    "${prefix}HTTP_HOST=127.0.0.1" \
    "${prefix}HTTP_PORT=$port" \
    "${prefix}DATABASE_DSN=postgresql://$db:$db@$PG_HOST:$PG_PORT/$db" \
    "${prefix}KAFKA_BOOTSTRAP_SERVERS=$KAFKA_HOST:$KAFKA_PORT" \
    "${prefix}AUTH_PUBLIC_KEY_PATH=$LOCAL_DIR/dev-issuer/public.pem"
  # development-only behaviour is off by default (fail closed); the local runner turns it on
  [[ $name == linkage-gateway ]] && printf '%s\n' "${prefix}CREATE_DEV_KEYS=true"
  [[ -n ${SIM_ENV[$name]:-} ]] && printf '%s' "${SIM_ENV[$name]}"
  return 0
}

# The development token issuer's key pair (.local/dev-issuer/), which `make token` signs with and
# the services verify against; created on first use by kokuho.platform.token.
ensure_dev_issuer() {
  [[ -f $LOCAL_DIR/dev-issuer/public.pem ]] && return 0
  log "creating the development token issuer key in $LOCAL_DIR/dev-issuer"
  (cd "$KOKUHO_ROOT" && uv run python -c \
    'from kokuho.platform.token import dev_issuer_public_key_path as p; p()') ||
    die "could not create the development issuer key (kokuho.platform.token)"
}

start() {
  mkdir -p "$RUN_DIR"
  local -a names=() recorded=()
  mapfile -t names < <(services)
  if ((${#names[@]} == 0)); then
    record_services
    log "no services yet (nothing under services/*/pyproject.toml)"
    summary
    return 0
  fi
  local i name module port logf pidf
  local -a svc_env=()
  # Record every service's address first, so each one can find the others while it starts.
  for i in "${!names[@]}"; do
    recorded+=("${names[i]}=$((BASE_PORT + i + 1))")
  done
  record_services "${recorded[@]}"
  ensure_dev_issuer
  start_simulators
  i=0
  for name in "${names[@]}"; do
    i=$((i + 1))
    port=$((BASE_PORT + i))
    module="kokuho.${name//-/_}"
    logf="$RUN_DIR/$name.log"
    pidf="$RUN_DIR/$name.pid"
    if pid_alive "$pidf" "$module"; then
      log "$name already running (pid $(<"$pidf")) on port $port"
      continue
    fi
    mapfile -t svc_env < <(service_env "$name" "$port")
    if port_open 127.0.0.1 "$port"; then
      die "port $port (for $name) is in use by another process"
    fi
    for step in migrate seed; do
      log "$name: $step"
      if ! (cd "$KOKUHO_ROOT" && env "${svc_env[@]}" uv run python -m "$module" "$step") >>"$logf" 2>&1; then
        tail -n 20 "$logf" >&2
        die "$name: '$step' failed; see $logf"
      fi
    done
    log "$name: serve on http://127.0.0.1:$port"
    (cd "$KOKUHO_ROOT" && spawn "$logf" "$pidf" env "${svc_env[@]}" uv run python -m "$module" serve)
    local deadline=$((SECONDS + SERVE_TIMEOUT))
    until port_open 127.0.0.1 "$port"; do
      if ! pid_alive "$pidf" "$module"; then
        tail -n 20 "$logf" >&2
        die "$name exited during startup; see $logf"
      fi
      ((SECONDS < deadline)) || die "$name did not listen on port $port within ${SERVE_TIMEOUT}s; see $logf"
      sleep 0.5
    done
  done
  summary
}

summary() {
  python3 - "$ENDPOINTS" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print(f"""
Kokuho is running locally.
  endpoints:  {sys.argv[1]}
  Kafka:      {doc['kafka']['bootstrap_servers']}    logs: .local/kafka/logs/server.log
  PostgreSQL: {doc['postgres']['admin_dsn']}    logs: .local/postgres/log/""")
for name, svc in doc.get("services", {}).items():
    print(f"  {name:<16} {svc['base_url']}   API docs: {svc['docs_url']}   log: {svc['log']}")
for name, sim in doc.get("simulators", {}).items():
    print(f"  simulator {name:<20} {sim['base_url']}   for {sim['for_service']}   log: {sim['log']}")
print("""
  mint a token:  make token USER=<user> ROLES=<role,role> TERMINAL=<terminal>
  stop it all:   make down""")
PY
}

stop() {
  local pidf name
  shopt -s nullglob
  for pidf in "$RUN_DIR"/*.pid; do
    name=$(basename "$pidf" .pid)
    stop_pid "$pidf" "kokuho.${name//-/_}" "$name" 30
  done
  for pidf in "$SIM_DIR"/*.pid; do
    name=$(basename "$pidf" .pid)
    stop_pid "$pidf" " $name --port" "simulator $name" 30
  done
  [[ -f $ENDPOINTS ]] && record_services && record_simulators
  return 0
}

status() {
  local name pidf any=0
  while IFS= read -r name; do
    any=1
    pidf="$RUN_DIR/$name.pid"
    if pid_alive "$pidf" "kokuho.${name//-/_}"; then
      log "$name running (pid $(<"$pidf"))"
    else
      log "$name not running"
    fi
  done < <(services)
  ((any)) || log "no services yet"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
