#!/usr/bin/env bash
# Local Apache Kafka: one KRaft node (broker + controller) assembled from Maven Central jars.
#   deploy/local/kafka.sh start|stop|status
# State lives in .local/kafka/ (libs/, data/, logs/, server.properties, kafka.pid).
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

write_config() {
  mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@KAFKA_DATA_DIR@|$KAFKA_DATA|g" \
    "$DEPLOY_DIR/kafka/server.properties.template" >"$KAFKA_CONF"
  printf 'request.timeout.ms=5000\ndefault.api.timeout.ms=5000\n' >"$KAFKA_DIR/tools.properties"
}

format_storage() {
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  local cluster_id
  cluster_id=$(java_run kafka.tools.StorageTool random-uuid)
  log "formatting KRaft storage in $KAFKA_DATA (cluster id $cluster_id)"
  java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONF" \
    >>"$KAFKA_LOGS/format.log" 2>&1 || die "storage format failed; see $KAFKA_LOGS/format.log"
}

is_running() { pid_alive "$KAFKA_PID" kafka.Kafka; }

broker_answers() {
  java_run org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
    --command-config "$KAFKA_DIR/tools.properties" --list >/dev/null 2>>"$KAFKA_LOGS/readiness.log"
}

start() {
  if is_running; then
    log "already running (pid $(<"$KAFKA_PID")) on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$KAFKA_HOST" "$port" && die "port $KAFKA_HOST:$port is in use by another process (not our Kafka)"
  done
  command -v java >/dev/null 2>&1 || die "java not found (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless; macOS: brew install openjdk@17)"
  ensure_libs
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
      log "ready on $KAFKA_HOST:$KAFKA_PORT (pid $(<"$KAFKA_PID"))"
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
