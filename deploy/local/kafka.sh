#!/usr/bin/env bash
# Local Apache Kafka: one KRaft node (broker + controller) assembled from Maven Central jars.
#   deploy/local/kafka.sh start|stop|status
# State lives in .local/kafka/ (libs/, data/, logs/, server.properties, kafka.pid, users.json).
# The broker authenticates every client (SASL/SCRAM-SHA-512) and authorizes it with the standard
# ACL authorizer (ADR 0086): one user per service and per department feed (deploy/kafka_access.py),
# each with a password generated here into users.json, plus the super user "admin". A second
# listener (KOKUHO_KAFKA_TLS_PORT, 59094) takes mutual TLS instead (ADR 0099): each of those users
# but admin gets a client certificate from the local CA (.local/tls/kafka-clients/<user>.crt, .key).
set -euo pipefail
LOG_TAG=kafka
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_DIR="$LOCAL_DIR/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_LOGS="$KAFKA_DIR/logs"
KAFKA_CONF="$KAFKA_DIR/server.properties"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_USERS="$KAFKA_DIR/users.json"            # user name -> password (local only, mode 600)
AUTH_STAMP="$KAFKA_DATA/.kokuho-auth"          # the storage was formatted with SCRAM users
SCRAM_STAMP="$KAFKA_DATA/.kokuho-scram-users"  # users whose credentials the broker holds
ACL_STAMP="$KAFKA_DATA/.kokuho-acl-inputs"     # access_inputs when the ACLs were last applied
KAFKA_TLS="$KAFKA_DIR/tls"                     # the broker's server certificate (broker.crt, .key)
CLIENT_CERTS="$LOCAL_DIR/tls/kafka-clients"    # <user>.crt and .key per broker user but admin
POM="$DEPLOY_DIR/kafka/pom.xml"
STAMP="$KAFKA_LIBS/.kokuho-stamp"
START_TIMEOUT=${KAFKA_START_TIMEOUT:-120}
: "${KAFKA_HEAP_OPTS:=-Xms512m -Xmx1g}" # every test run makes topics of its own; 512m ran out at ~12,000 partitions

kafka_version() {
  sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM"
}

# Fetch the broker's jars (and their dependencies) with Maven, once per pom.xml content.
ensure_libs() {
  local want
  want="$(kafka_version) $(cksum <"$POM" | awk '{print $1}')"
  if [[ -f $STAMP && "$(<"$STAMP")" == "$want" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (Debian/Ubuntu: apt-get install -y maven; macOS: brew install maven)"
  log "fetching Kafka $(kafka_version) jars from Maven Central into $KAFKA_LIBS (first run only)"
  local tmp="$KAFKA_DIR/libs.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$KAFKA_DIR/mvn.log" 2>&1; then
    tail -n 30 "$KAFKA_DIR/mvn.log" >&2
    die "mvn could not fetch the Kafka jars (full output: $KAFKA_DIR/mvn.log)"
  fi
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  echo "$want" >"$STAMP"
}

java_run() { # java_run MAINCLASS ARGS...: a Kafka command-line tool, quiet logging.
  java -Xmx256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/tools-log4j2.xml" \
    -cp "$KAFKA_LIBS/*" "$@"
}

# ensure_users: every user deploy/kafka_access.py names, plus admin, with a password in
# users.json (generated once; kept across restarts).
ensure_users() {
  local uv names
  uv=$(find_uv) || die "uv not found (make install)"
  names=$(cd "$KOKUHO_ROOT" && "$uv" run --no-sync python deploy/kafka_access.py users) ||
    die "could not list the broker's users (deploy/kafka_access.py users)"
  mkdir -p "$KAFKA_DIR"
  # shellcheck disable=SC2086 # one user name a word
  python3 - "$KAFKA_USERS" admin $names <<'PY'
import json, os, secrets, sys
path, names = sys.argv[1], sys.argv[2:]
try:
    with open(path) as f:
        users = json.load(f)
except (OSError, ValueError):
    users = {}
for name in names:
    users.setdefault(name, secrets.token_urlsafe(24))
tmp = path + ".tmp"
with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    json.dump(users, f, indent=2)
    f.write("\n")
os.replace(tmp, path)
PY
}

user_names() { python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' "$KAFKA_USERS"; }
user_password() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$KAFKA_USERS" "$1"
}

# ensure_certificates: the TLS listener's server certificate (naming 127.0.0.1 only, so a client
# that checks host names refuses the broker under any other name) and a client certificate
# (CN=<user>) per user but admin, from the local CA (deploy/local/tls.py: made once, issued again
# only when not current). admin keeps to SASL: a certificate of the super user is not handed out.
ensure_certificates() {
  local uv
  uv=$(find_uv) || die "uv not found (make install)"
  (cd "$KOKUHO_ROOT" && "$uv" run --frozen python "$DEPLOY_DIR/tls.py" issue broker \
    --out "$KAFKA_TLS" --ca-dir "$LOCAL_DIR/tls" --ip "$KAFKA_HOST" >/dev/null) ||
    die "could not issue the broker's TLS certificate (deploy/local/tls.py)"
  # shellcheck disable=SC2046 # one user name a word
  (cd "$KOKUHO_ROOT" && "$uv" run --frozen python "$DEPLOY_DIR/tls.py" issue --client \
    --out "$CLIENT_CERTS" --ca-dir "$LOCAL_DIR/tls" $(user_names | grep -vxF admin) >/dev/null) ||
    die "could not issue the broker users' client certificates (deploy/local/tls.py)"
}

write_config() {
  mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
  local admin_password
  admin_password=$(user_password admin)
  (
    umask 077
    sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_TLS_PORT@|$KAFKA_TLS_PORT|g" \
      -e "s|@KAFKA_TLS_CA@|$LOCAL_DIR/tls/ca.crt|g" \
      -e "s|@KAFKA_DATA_DIR@|$KAFKA_DATA|g" \
      -e "s|@KAFKA_ADMIN_PASSWORD@|$admin_password|g" \
      "$DEPLOY_DIR/kafka/server.properties.template" \
      "$DEPLOY_DIR/kafka/tls-listener.properties.template" >"$KAFKA_CONF"
    # The TLS listener's key and certificate inline (\n escapes: one property a line).
    python3 - "$KAFKA_TLS/broker.key" "$KAFKA_TLS/broker.crt" >>"$KAFKA_CONF" <<'PY'
import sys
key, cert = (open(p).read().strip().replace("\n", "\\n") for p in sys.argv[1:])
print(f"listener.name.tls.ssl.keystore.type=PEM\nlistener.name.tls.ssl.keystore.key={key}")
print(f"listener.name.tls.ssl.keystore.certificate.chain={cert}")
PY
    cat >"$KAFKA_DIR/tools.properties" <<PROPS
request.timeout.ms=5000
default.api.timeout.ms=5000
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
PROPS
  )
}

format_storage() {
  if [[ -f $KAFKA_DATA/meta.properties && ! -f $AUTH_STAMP ]]; then
    # Formatted before the broker authenticated clients: it holds no SCRAM users, and the
    # super user cannot be added to a broker nobody can log in to. Kept aside, not deleted.
    local old="$KAFKA_DIR/data.before-auth.$(date +%Y%m%d%H%M%S)"
    log "the broker's data predates authentication (ADR 0086): moved to $old; formatting anew"
    mv "$KAFKA_DATA" "$old"
    mkdir -p "$KAFKA_DATA"
  fi
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  local cluster_id name
  local -a scram=()
  while IFS= read -r name; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$(user_password "$name")]")
  done < <(user_names)
  cluster_id=$(java_run kafka.tools.StorageTool random-uuid)
  log "formatting KRaft storage in $KAFKA_DATA (cluster id $cluster_id, $((${#scram[@]} / 2)) SCRAM users)"
  java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONF" "${scram[@]}" \
    >>"$KAFKA_LOGS/format.log" 2>&1 || die "storage format failed; see $KAFKA_LOGS/format.log"
  user_names >"$SCRAM_STAMP"
  touch "$AUTH_STAMP"
}

# register_new_users: users added since the storage was formatted (a new service or feed).
register_new_users() {
  local name
  while IFS= read -r name; do
    grep -qxF -- "$name" "$SCRAM_STAMP" 2>/dev/null && continue
    log "adding the broker user $name"
    java_run kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
      --command-config "$KAFKA_DIR/tools.properties" --alter --entity-type users \
      --entity-name "$name" --add-config "SCRAM-SHA-512=[password=$(user_password "$name")]" \
      >>"$KAFKA_LOGS/users.log" 2>&1 || die "could not add the user $name; see $KAFKA_LOGS/users.log"
    echo "$name" >>"$SCRAM_STAMP"
  done < <(user_names)
}

# apply_acls: the broker holds exactly the ACLs deploy/kafka_access.py derives (users' rules).
apply_acls() {
  local uv
  uv=$(find_uv) || die "uv not found (make install)"
  write_endpoints
  (cd "$KOKUHO_ROOT" && "$uv" run --no-sync python deploy/kafka_access.py apply "$LOCAL_DIR/endpoints.json") \
    >>"$KAFKA_LOGS/acls.log" 2>&1 || { tail -n 20 "$KAFKA_LOGS/acls.log" >&2; die "could not apply the ACLs; see $KAFKA_LOGS/acls.log"; }
  log "$(tail -n 1 "$KAFKA_LOGS/acls.log")"
  access_inputs >"$ACL_STAMP"
}

# access_inputs: a checksum of what the users and ACLs are derived from (the services' code and
# settings, the transfer registry, kafka_access.py): a running broker is brought up to date
# when it changed (a new service, topic or feed), without a restart.
access_inputs() {
  (cd "$KOKUHO_ROOT" && find deploy/kafka_access.py services/*/src libs/events/src/kokuho/events/transfers \
    -type f \( -name '*.py' -o -name '*.toml' \) | LC_ALL=C sort | xargs cksum | cksum)
}

is_running() { pid_alive "$KAFKA_PID" kafka.Kafka; }

broker_answers() {
  java_run org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
    --command-config "$KAFKA_DIR/tools.properties" --list >/dev/null 2>>"$KAFKA_LOGS/readiness.log"
}

start() {
  if is_running; then
    log "already running (pid $(<"$KAFKA_PID")) on $KAFKA_HOST:$KAFKA_PORT"
    [[ -f $AUTH_STAMP ]] ||
      die "the running broker predates authentication (ADR 0086): restart it (deploy/local/kafka.sh stop, then make up); its data is kept aside"
    if [[ ! -f $ACL_STAMP || "$(access_inputs)" != "$(<"$ACL_STAMP")" ]]; then
      log "the services, topics or feeds changed: bringing the broker's users and ACLs up to date"
      ensure_users
      register_new_users
      apply_acls
    fi
    ensure_certificates
    port_open "$KAFKA_HOST" "$KAFKA_TLS_PORT" ||
      log "WARNING: the running broker has no TLS listener on $KAFKA_HOST:$KAFKA_TLS_PORT (it was started before ADR 0099); it is added at its next start (make down && make up)"
    return 0
  fi
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_TLS_PORT"; do
    port_open "$KAFKA_HOST" "$port" && die "port $KAFKA_HOST:$port is in use by another process (not our Kafka)"
  done
  command -v java >/dev/null 2>&1 || die "java not found (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless; macOS: brew install openjdk@17)"
  ensure_libs
  ensure_users
  ensure_certificates
  write_config
  format_storage
  log "starting Kafka $(kafka_version) (KRaft) on $KAFKA_HOST:$KAFKA_PORT; logs in $KAFKA_LOGS"
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
  spawn "$KAFKA_LOGS/kafka.out" "$KAFKA_PID" \
    java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true \
    -Dkafka.logs.dir="$KAFKA_LOGS" \
    -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.xml" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONF"
  local deadline=$((SECONDS + START_TIMEOUT))
  : >"$KAFKA_LOGS/readiness.log"
  while ((SECONDS < deadline)); do
    if ! is_running; then
      tail -n 20 "$KAFKA_LOGS/kafka.out" "$KAFKA_LOGS/server.log" 2>/dev/null >&2 || true
      die "Kafka exited during startup; see $KAFKA_LOGS/server.log and $KAFKA_LOGS/kafka.out"
    fi
    if port_open "$KAFKA_HOST" "$KAFKA_PORT" && broker_answers; then
      log "ready on $KAFKA_HOST:$KAFKA_PORT (pid $(<"$KAFKA_PID")); SASL/SCRAM-SHA-512, ACLs; mutual TLS on $KAFKA_HOST:$KAFKA_TLS_PORT"
      register_new_users
      apply_acls
      return 0
    fi
    sleep 1
  done
  die "Kafka did not answer on $KAFKA_HOST:$KAFKA_PORT within ${START_TIMEOUT}s; see $KAFKA_LOGS/server.log (it is still running: deploy/local/kafka.sh stop)"
}

stop() {
  if ! is_running; then
    rm -f "$KAFKA_PID"
    log "not running"
    return 0
  fi
  stop_pid "$KAFKA_PID" kafka.Kafka Kafka 90
  log "stopped"
}

status() {
  if is_running; then
    log "running (pid $(<"$KAFKA_PID")) on $KAFKA_HOST:$KAFKA_PORT, Kafka $(kafka_version); logs in $KAFKA_LOGS"
  else
    log "not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
