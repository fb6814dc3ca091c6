#!/usr/bin/env bash
# Start every service under services/*/ (a directory with a pyproject.toml) against the local
# infrastructure, and record it in .local/endpoints.json.
#   deploy/local/run.sh [start]   migrate, seed, then serve each service in the background
#   deploy/local/run.sh stop      stop the services and simulators started here
#   deploy/local/run.sh status
#   deploy/local/run.sh ports     print the declared ports (and check them)
#
# Ports are declared, never derived from the order of the services: each services/<name>/
# pyproject.toml has
#   [tool.kokuho]
#   port = 8002                   # the service's HTTP port
#   [tool.kokuho.simulators]      # only with simulators/simulators.txt: one port per simulator
#   jlis = 8101
# run.sh refuses to start when a service or simulator declares no port or two declare the same.
#
# For each services/<name>/ (sorted by name), on its declared port:
#   uv run python -m kokuho.<name_with_underscores> migrate
#   uv run python -m kokuho.<name_with_underscores> seed
#   uv run python -m kokuho.<name_with_underscores> serve        (background, .local/run/<name>.pid)
# each with this environment (<N> = name upper-cased, '-' -> '_', the prefix of the service's
# kokuho.platform.settings.ServiceSettings subclass; <n> = name with '_'):
#   KOKUHO_<N>_HTTP_HOST/_HTTP_PORT      127.0.0.1 / the declared port (serve must bind there; also
#                                        exported without the <N>_ part)
#   KOKUHO_<N>_DATABASE_DSN              postgresql://kokuho_<n>:kokuho_<n>@127.0.0.1:55432/kokuho_<n>
#                                        (local development credentials; `migrate` creates the
#                                        role and database with the admin DSN)
#   KOKUHO_<N>_KAFKA_BOOTSTRAP_SERVERS   127.0.0.1:59092
#   KOKUHO_<N>_KAFKA_USERNAME/_PASSWORD  the service's own broker user (SASL/SCRAM, ADR 0086; made by
#                                        `make up`, in .local/kafka/users.json); migrate runs as
#                                        the broker's super user, which alone creates topics
#   KOKUHO_<N>_AUTH_PUBLIC_KEY_PATH      .local/dev-issuer/public.pem (the key `make token` signs with)
#   KOKUHO_<N>_AUDIT_KEY_PATH            .local/dev-audit-key/audit.key (the audit chain's development
#                                        HMAC key, ADR 0006; a service refuses to start without one)
#   KOKUHO_LINKAGE_GATEWAY_KEY_DIRECTORY .local/dev-vault-keys (the vault's development keys, created
#                                        on first use; outside every data directory)
#   KOKUHO_LINKAGE_GATEWAY_SERVICE_KEY_PATH, _BENEFITS_URL, KOKUHO_BENEFITS_SERVICE_PRINCIPALS_PATH
#                                        the gateway's own service key and the principal list of
#                                        benefits (.local/service-keys/, ADR 0083): the gateway
#                                        hands the claims file to benefits as itself
#   KOKUHO_PG_ADMIN_DSN                  the superuser DSN, for migrate only (seed and serve refuse
#                                        to run with it, and serve refuses a superuser login)
#   KOKUHO_ENDPOINTS                     .local/endpoints.json (every service's base URL)
#   KOKUHO_SERVICE_NAME                  <name>
# Logs: .local/run/<name>.log. The infrastructure must be up (make up; make run does it).
#
# Simulators: before the services, every line "<sim> <module> <SETTING>" of
# services/<name>/simulators/simulators.txt starts `python -m <module> <sim> --port <port>` (the
# port declared under [tool.kokuho.simulators]; that directory on PYTHONPATH; pid and log under
# .local/run/simulators/), is recorded in endpoints.json under "simulators", and <name> gets
# SETTING=http://127.0.0.1:<port>. A line ending in "mtls" serves HTTPS requiring a client
# certificate (--tls-cert/--tls-key/--tls-client-ca; ADR 0095): the local CA (.local/tls/ca.crt,
# deploy/local/tls.py) signs its server certificate and <name>'s client certificate
# (.local/tls/clients/<name>.crt), and <name> gets SETTING=https://127.0.0.1:<port> and
# KOKUHO_<NAME>_COUNTERPART_TLS_CERT_PATH, _KEY_PATH and _CA_PATH.
#
# Processes: each one runs in a session (process group) of its own and its pid file holds the
# group's id, so stop ends `uv run` and the server it started together, and still finds the server
# when `uv run` died. stop also ends a server of ours (its command line names its kokuho.<module>)
# still listening on a declared port when its pid file is gone.
set -euo pipefail
LOG_TAG=run
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_DIR="$LOCAL_DIR/run"
ENDPOINTS="$LOCAL_DIR/endpoints.json"
SIM_DIR="$RUN_DIR/simulators"
SERVE_TIMEOUT=${KOKUHO_SERVE_TIMEOUT:-60}
declare -A SIM_ENV=()   # service name -> its simulator settings, one VAR=url a line
declare -A PORT_OF=()   # service name -> declared port
declare -a SERVICES=()  # service names, sorted
declare -a SIMULATORS=() # "<service> <sim> <port> <module> <setting>", in declaration order

# declared_ports [--lenient]: read every service's [tool.kokuho] table (and simulators.txt) and
# print "service <name> <port>" / "simulator <service> <sim> <port> <module> <setting>" lines.
# Fails naming each service or simulator without a port and each port declared twice (also a
# clash with the PostgreSQL and Kafka ports); --lenient prints what is valid and never fails.
declared_ports() {
  python3 - "$KOKUHO_ROOT" "${1:-}" "PostgreSQL=$PG_PORT" "Kafka=$KAFKA_PORT" \
    "Kafka controller=$KAFKA_CONTROLLER_PORT" "Kafka TLS=$KAFKA_TLS_PORT" <<'PY'
import os, sys, tomllib

root, mode, *infra = sys.argv[1:]
services_dir = os.path.join(root, "services")
problems, lines, owner = [], [], {}
for entry in infra:
    what, port = entry.rsplit("=", 1)
    owner[int(port)] = what


def claim(port, what):
    if port in owner:
        problems.append(f"port {port} is declared twice: by {owner[port]} and by {what}")
        return False
    owner[port] = what
    return True


def valid(port):
    return isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536


names = sorted(
    n for n in (os.listdir(services_dir) if os.path.isdir(services_dir) else [])
    if os.path.isfile(os.path.join(services_dir, n, "pyproject.toml"))
)
sim_owner = {}
for name in names:
    rel = f"services/{name}/pyproject.toml"
    try:
        with open(os.path.join(root, rel), "rb") as f:
            table = tomllib.load(f).get("tool", {}).get("kokuho", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        problems.append(f"service {name}: cannot read {rel}: {e}")
        continue
    port = table.get("port")
    if not valid(port):
        problems.append(
            f"service {name} declares no port: add `[tool.kokuho]` with `port = <port>` to {rel}"
        )
    elif claim(port, f"service {name}"):
        lines.append(f"service {name} {port}")
    sim_ports = table.get("simulators", {})
    decl = f"services/{name}/simulators/simulators.txt"
    listed = set()
    if os.path.isfile(os.path.join(root, decl)):
        with open(os.path.join(root, decl)) as f:
            for raw in f:
                fields = raw.split()
                if not fields or fields[0].startswith("#"):
                    continue
                if len(fields) not in (3, 4) or fields[3:] not in ([], ["mtls"]):
                    problems.append(
                        f"{decl}: expected '<name> <module> <SETTING> [mtls]': {raw.strip()}"
                    )
                    continue
                sim, module, setting = fields[:3]
                tls = fields[3] if len(fields) == 4 else "plain"
                listed.add(sim)
                if sim in sim_owner:
                    problems.append(f"simulator {sim} is declared by {sim_owner[sim]} and {name}")
                    continue
                sim_owner[sim] = name
                port = sim_ports.get(sim)
                if not valid(port):
                    problems.append(
                        f"simulator {sim} (listed in {decl}) declares no port: add `{sim} = <port>`"
                        f" under `[tool.kokuho.simulators]` in {rel}"
                    )
                elif claim(port, f"simulator {sim} of {name}"):
                    lines.append(f"simulator {name} {sim} {port} {module} {setting} {tls}")
    for sim in sorted(set(sim_ports) - listed):
        problems.append(f"{rel} declares a port for simulator {sim}, which {decl} does not list")
print("\n".join(lines))
if problems and mode != "--lenient":
    for problem in problems:
        print(f"[run] ERROR: {problem}", file=sys.stderr)
    taken = ", ".join(f"{p} ({w})" for p, w in sorted(owner.items()))
    print(f"[run] ports taken: {taken}", file=sys.stderr)
    sys.exit(1)
PY
}

# load_ports [--lenient]: fill SERVICES, PORT_OF and SIMULATORS from declared_ports.
load_ports() {
  local out kind a b c d e
  if ! out=$(declared_ports "${1:-}"); then
    [[ ${1:-} == --lenient ]] || exit 1
    log "WARNING: could not read the declared ports; only what the pid files name is stopped"
    out=""
  fi
  SERVICES=()
  SIMULATORS=()
  PORT_OF=()
  while read -r kind a b c d e; do
    case $kind in
      service)
        SERVICES+=("$a")
        PORT_OF[$a]=$b
        ;;
      simulator) SIMULATORS+=("$a $b $c $d $e") ;;
    esac
  done <<<"$out"
}

# listener_note PORT: " (pid N: command line)" for what listens on PORT, when that can be seen.
listener_note() {
  local pid
  pid=$(port_listeners "$1" | head -n1)
  [[ -n $pid ]] && printf ' (pid %s: %s)' "$pid" "$(proc_args "$pid")"
  return 0
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

# wait_listening PORT PIDFILE PATTERN WHAT LOGFILE: until something listens on PORT; fail when what
# PIDFILE records exits first, or after SERVE_TIMEOUT seconds.
wait_listening() {
  local port=$1 pidf=$2 pattern=$3 what=$4 logf=$5
  local deadline=$((SECONDS + SERVE_TIMEOUT))
  until port_open 127.0.0.1 "$port"; do
    if ! pid_alive "$pidf" "$pattern"; then
      tail -n 20 "$logf" >&2
      die "$what exited during startup; see $logf"
    fi
    ((SECONDS < deadline)) || die "$what did not listen on port $port within ${SERVE_TIMEOUT}s; see $logf"
    sleep 0.5
  done
}

# start_simulators: start every declared simulator (idempotent), fill SIM_ENV, record them.
start_simulators() {
  mkdir -p "$SIM_DIR"
  local entry svc sim port module setting tls logf pidf scheme pattern prefix
  local -a recorded=() tls_args=()
  for entry in ${SIMULATORS[@]+"${SIMULATORS[@]}"}; do
    read -r svc sim port module setting tls <<<"$entry"
    logf="$SIM_DIR/$sim.log"
    pidf="$SIM_DIR/$sim.pid"
    scheme=http tls_args=() pattern=" $sim --port"
    if [[ $tls == mtls ]]; then
      # mutual TLS as with the real counterpart (ADR 0095): a server certificate for the
      # simulator and a client certificate for the service, from the local CA (.local/tls/)
      issue_certificate "$sim" simulators --ip 127.0.0.1 --dns localhost
      issue_certificate "$svc" clients --client
      tls_args=(--tls-cert "$LOCAL_DIR/tls/simulators/$sim.crt"
        --tls-key "$LOCAL_DIR/tls/simulators/$sim.key" --tls-client-ca "$LOCAL_DIR/tls/ca.crt")
      scheme=https pattern=" $sim --port $port --tls-cert"
      prefix="KOKUHO_$(tr '[:lower:]-' '[:upper:]_' <<<"$svc")_COUNTERPART_TLS"
      [[ ${SIM_ENV[$svc]:-} == *"${prefix}_CA_PATH="* ]] ||
        SIM_ENV[$svc]+="${prefix}_CERT_PATH=$LOCAL_DIR/tls/clients/$svc.crt"$'\n'"${prefix}_KEY_PATH=$LOCAL_DIR/tls/clients/$svc.key"$'\n'"${prefix}_CA_PATH=$LOCAL_DIR/tls/ca.crt"$'\n'
    fi
    SIM_ENV[$svc]+="$setting=$scheme://127.0.0.1:$port"$'\n'
    recorded+=("$sim=$port=$svc=$scheme")
    if pid_alive "$pidf" "$pattern"; then
      log "simulator $sim already running (process group $(<"$pidf")) on port $port"
      continue
    fi
    port_open 127.0.0.1 "$port" &&
      die "port $port (for simulator $sim) is in use by another process$(listener_note "$port"); if it is a leftover of ours, deploy/local/run.sh stop ends it"
    log "simulator $sim (for $svc): serve on $scheme://127.0.0.1:$port"
    (cd "$KOKUHO_ROOT" && spawn "$logf" "$pidf" env "PYTHONPATH=$KOKUHO_ROOT/services/$svc/simulators" \
      "$UV" run python -m "$module" "$sim" --port "$port" ${tls_args[@]+"${tls_args[@]}"})
    wait_listening "$port" "$pidf" " $sim --port" "simulator $sim" "$logf"
  done
  record_simulators ${recorded[@]+"${recorded[@]}"}
}

# issue_certificate NAME DIR [tls.py options]: .local/tls/DIR/NAME.crt and .key from the local
# CA (made, or issued again, only when not current: deploy/local/tls.py).
issue_certificate() {
  local name=$1 dir=$2
  shift 2
  (cd "$KOKUHO_ROOT" && "$UV" run python "$DEPLOY_DIR/tls.py" issue "$name" \
    --out "$LOCAL_DIR/tls/$dir" --ca-dir "$LOCAL_DIR/tls" "$@" >/dev/null) || die "could not issue the certificate of $name (deploy/local/tls.py)"
}

# record_simulators NAME=PORT=SERVICE[=SCHEME]...: set endpoints.json "simulators" to exactly these.
record_simulators() {
  [[ -f $ENDPOINTS ]] || write_endpoints
  python3 - "$ENDPOINTS" "$SIM_DIR" "$@" <<'PY'
import json, os, sys
path, sim_dir, *entries = sys.argv[1:]
with open(path) as f:
    doc = json.load(f)
sims = {}
for entry in entries:
    name, port, service, *scheme = entry.split("=")
    sims[name] = {
        "base_url": f"{(scheme or ['http'])[0]}://127.0.0.1:{port}",
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

kafka_password() { # kafka_password USER: the local broker user's password (make up made it)
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$LOCAL_DIR/kafka/users.json" "$1" 2>/dev/null ||
    die "no broker user $1 in $LOCAL_DIR/kafka/users.json (make up creates one per service)"
}

service_env() { # service_env NAME PORT: print the environment for NAME, one VAR=value a line
  local name=$1 port=$2 db prefix
  db="kokuho_${name//-/_}"
  prefix="KOKUHO_$(tr '[:lower:]-' '[:upper:]_' <<<"$name")_"
  printf '%s\n' \
    "KOKUHO_SERVICE_NAME=$name" \
    "KOKUHO_ENDPOINTS=$ENDPOINTS" \
    "KOKUHO_HTTP_HOST=127.0.0.1" \
    "KOKUHO_HTTP_PORT=$port" \
    "${prefix}HTTP_HOST=127.0.0.1" \
    "${prefix}HTTP_PORT=$port" \
    "${prefix}DATABASE_DSN=postgresql://$db:$db@$PG_HOST:$PG_PORT/$db" \
    "${prefix}KAFKA_BOOTSTRAP_SERVERS=$KAFKA_HOST:$KAFKA_PORT" \
    "${prefix}KAFKA_USERNAME=$name" \
    "${prefix}KAFKA_PASSWORD=$(kafka_password "$name")" \
    "${prefix}AUTH_PUBLIC_KEY_PATH=$LOCAL_DIR/dev-issuer/public.pem" \
    "${prefix}ALLOWED_TERMINAL_IDS=${KOKUHO_LOCAL_TERMINALS:-t1,t2,t3}" \
    "${prefix}AUDIT_KEY_PATH=$LOCAL_DIR/dev-audit-key/audit.key"
  # development-only behaviour is off by default (fail closed); the local runner turns it on
  [[ $name == linkage-gateway ]] &&
    printf '%s\n' "${prefix}CREATE_DEV_KEYS=true" "${prefix}KEY_DIRECTORY=$LOCAL_DIR/dev-vault-keys"
  # service identity (ADR 0083): the gateway calls benefits' claim imports as itself
  [[ $name == linkage-gateway && -n ${PORT_OF[benefits]:-} ]] &&
    printf '%s\n' "${prefix}SERVICE_KEY_PATH=$LOCAL_DIR/service-keys/linkage-gateway.key" \
      "${prefix}BENEFITS_URL=http://127.0.0.1:${PORT_OF[benefits]}"
  [[ $name == benefits ]] &&
    printf '%s\n' "${prefix}SERVICE_PRINCIPALS_PATH=$LOCAL_DIR/service-keys/benefits-principals.toml"
  # assessment's demonstration figures for a year the city has not confirmed (ADR 0036)
  [[ $name == assessment ]] && printf '%s\n' "${prefix}DEMO_PARAMETERS=true"
  # eligibility's bulk certificate run prints into .local/print/ (ADR 0017)
  [[ $name == eligibility ]] && printf '%s\n' "${prefix}PRINT_DIR=$LOCAL_DIR/print/eligibility"
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

# The development audit key (.local/dev-audit-key/audit.key: 32 random bytes, base64, mode
# 0600), the same file kokuho.platform.audit.dev_key_path() makes for the tests (ADR 0006).
ensure_dev_audit_key() {
  local dir=$LOCAL_DIR/dev-audit-key
  [[ -f $dir/audit.key ]] && return 0
  log "creating the development audit key in $dir"
  mkdir -p "$dir"
  (umask 077 && head -c 32 /dev/urandom | base64 >"$dir/audit.key.$$" &&
    ln "$dir/audit.key.$$" "$dir/audit.key" 2>/dev/null || [[ -f $dir/audit.key ]]) ||
    die "could not create the development audit key in $dir"
  rm -f "$dir/audit.key.$$"
}

# The services' own keys for calling each other (ADR 0083): linkage-gateway's key pair and the
# principal list of benefits naming its public key (.local/service-keys/, created on first use).
ensure_service_keys() {
  local dir=$LOCAL_DIR/service-keys
  [[ -f $dir/linkage-gateway.key && -f $dir/benefits-principals.toml ]] && return 0
  log "creating the development service keys in $dir"
  mkdir -p "$dir"
  (cd "$KOKUHO_ROOT" && umask 077 && uv run python - "$dir" <<'PY'
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from kokuho.platform.token import new_private_key

directory = Path(sys.argv[1])
key = new_private_key()
(directory / "linkage-gateway.pem").write_bytes(
    key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
)
(directory / "linkage-gateway.key").write_bytes(
    key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
)
(directory / "benefits-principals.toml").write_text(
    "[principals.linkage-gateway]\n"
    'public_key_path = "linkage-gateway.pem"\n'
    'permissions = ["benefits.claim-imports"]\n'
)
PY
  ) || die "could not create the development service keys in $dir"
}

start() {
  load_ports
  mkdir -p "$RUN_DIR"
  if ((${#SERVICES[@]} == 0)); then
    record_services
    log "no services yet (nothing under services/*/pyproject.toml)"
    summary
    return 0
  fi
  local name module port logf pidf
  local -a svc_env=() recorded=()
  # Record every service's address first, so each one can find the others while it starts.
  for name in "${SERVICES[@]}"; do
    recorded+=("$name=${PORT_OF[$name]}")
  done
  record_services "${recorded[@]}"
  ensure_dev_issuer
  ensure_dev_audit_key
  ensure_service_keys
  start_simulators
  for name in "${SERVICES[@]}"; do
    port=${PORT_OF[$name]}
    module="kokuho.${name//-/_}"
    logf="$RUN_DIR/$name.log"
    pidf="$RUN_DIR/$name.pid"
    if pid_alive "$pidf" "$module"; then
      log "$name already running (process group $(<"$pidf")) on port $port"
      continue
    fi
    mapfile -t svc_env < <(service_env "$name" "$port")
    if port_open 127.0.0.1 "$port"; then
      die "port $port (for $name) is in use by another process$(listener_note "$port"); if it is a leftover of ours, deploy/local/run.sh stop ends it"
    fi
    for step in migrate seed; do
      log "$name: $step"
      # the superuser DSN reaches migrate only; seed and serve run with the service's own login
      admin=()
      # (and the broker's super user: only it creates topics)
      [[ $step == migrate ]] && admin=("KOKUHO_PG_ADMIN_DSN=$PG_ADMIN_DSN"
        "KOKUHO_$(tr '[:lower:]-' '[:upper:]_' <<<"$name")_KAFKA_USERNAME=admin"
        "KOKUHO_$(tr '[:lower:]-' '[:upper:]_' <<<"$name")_KAFKA_PASSWORD=$(kafka_password admin)")
      if ! (cd "$KOKUHO_ROOT" && env "${svc_env[@]}" ${admin[@]+"${admin[@]}"} "$UV" run python -m "$module" "$step") >>"$logf" 2>&1; then
        tail -n 20 "$logf" >&2
        die "$name: '$step' failed; see $logf"
      fi
    done
    log "$name: serve on http://127.0.0.1:$port"
    (cd "$KOKUHO_ROOT" && spawn "$logf" "$pidf" env "${svc_env[@]}" "$UV" run python -m "$module" serve)
    wait_listening "$port" "$pidf" "$module" "$name" "$logf"
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
first = next(iter(doc.get("services", {}).values()), None)
if first:  # every service serves the same catalog (ADR 0070)
    print(f"  event catalog:   {first['base_url']}/asyncapi  (AsyncAPI 3.0: /asyncapi.json on every"
          " service; guide: docs/consumers.md)")
for name, sim in doc.get("simulators", {}).items():
    print(f"  simulator {name:<20} {sim['base_url']}   for {sim['for_service']}   log: {sim['log']}")
elig = doc.get("services", {}).get("eligibility")
if elig:  # the demo persons 1000000001-1000000020 have マイナ保険証 states (ADR 0081)
    print(f"  certificates:    POST {elig['base_url']}/api/v1/jobs/certificates (batch.operator):"
          " お知らせ or 資格確認書 by the demo's マイナ保険証 states;"
          f" one person's: GET {elig['base_url']}/api/v1/persons/1000000002/certificate-basis")
print("""
  mint a token:  make token USER=<user> ROLES=<role,role> TERMINAL=<t1, t2 or t3: the registered terminals>
  stop it all:   make down""")
PY
}

stop() {
  local pidf name entry svc sim port module setting
  load_ports --lenient
  shopt -s nullglob
  for pidf in "$RUN_DIR"/*.pid; do
    name=$(basename "$pidf" .pid)
    stop_pid "$pidf" "kokuho.${name//-/_}" "$name" 30
  done
  for pidf in "$SIM_DIR"/*.pid; do
    name=$(basename "$pidf" .pid)
    stop_pid "$pidf" " $name --port" "simulator $name" 30
  done
  # Servers of ours whose pid file was lost, still on their declared ports.
  for name in ${SERVICES[@]+"${SERVICES[@]}"}; do
    stop_port_leftover "${PORT_OF[$name]}" "kokuho\.${name//-/_} serve" "$name" 30
  done
  for entry in ${SIMULATORS[@]+"${SIMULATORS[@]}"}; do
    read -r svc sim port module setting <<<"$entry"
    stop_port_leftover "$port" "$module $sim --port" "simulator $sim" 30
  done
  if [[ -f $ENDPOINTS ]]; then
    record_services
    record_simulators
  fi
  return 0
}

status() {
  local name pidf port module code=0
  load_ports --lenient
  ((${#SERVICES[@]})) || log "no services yet"
  for name in ${SERVICES[@]+"${SERVICES[@]}"}; do
    pidf="$RUN_DIR/$name.pid"
    port=${PORT_OF[$name]}
    module="kokuho.${name//-/_}"
    if pid_alive "$pidf" "$module"; then
      log "$name running (process group $(<"$pidf")) on port $port"
    elif port_open 127.0.0.1 "$port"; then
      log "$name not running from here, but port $port is in use$(listener_note "$port")"
      code=3
    else
      log "$name not running (port $port)"
      code=3
    fi
  done
  return "$code"
}

ports() {
  load_ports
  local name entry svc sim port module setting
  for name in ${SERVICES[@]+"${SERVICES[@]}"}; do
    printf '%-5s  %-32s %s\n' "${PORT_OF[$name]}" "$name" "services/$name/pyproject.toml [tool.kokuho] port"
  done
  for entry in ${SIMULATORS[@]+"${SIMULATORS[@]}"}; do
    read -r svc sim port module setting <<<"$entry"
    printf '%-5s  %-32s %s\n' "$port" "simulator $sim" "services/$svc/pyproject.toml [tool.kokuho.simulators]"
  done
}

UV=$(find_uv || echo uv)

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  ports) ports ;;
  *)
    echo "usage: $0 [start|stop|status|ports]" >&2
    exit 2
    ;;
esac
