#!/usr/bin/env bash
# Local PostgreSQL from the machine's server binaries.
#   deploy/local/postgres.sh start|stop|status
# State lives in .local/postgres/ (data/, log/, run/ for the unix socket); KOKUHO_PG_DIR (with
# KOKUHO_PG_PORT) puts a second cluster elsewhere (the restore test's fresh cluster).
# initdb and postgres refuse to run as root: as root they run as the `postgres` system user when
# it exists, otherwise as a `kokuho` system user created for the purpose.
set -euo pipefail
LOG_TAG=postgres
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_DIR=${KOKUHO_PG_DIR:-$LOCAL_DIR/postgres}
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/log"
PG_SOCKET_DIR="$PG_DIR/run"
MIN_PG_MAJOR=15

PG_BIN_DIR=$(find_pg_bin) || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; set PG_BIN or install them (Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql@16)"
PG_VERSION=$(pg_major "$PG_BIN_DIR")
((PG_VERSION >= MIN_PG_MAJOR)) || die "PostgreSQL >= $MIN_PG_MAJOR needed, found $PG_VERSION in $PG_BIN_DIR"

RUN_AS=""
if [[ $(id -u) -eq 0 ]]; then
  if id postgres >/dev/null 2>&1; then
    RUN_AS=postgres
  else
    RUN_AS=kokuho
  fi
fi

as_pg() { # run a command as the PostgreSQL owner
  if [[ -n $RUN_AS ]]; then
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

pg_ctl() { as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" "$@"; }

ensure_user() {
  [[ -n $RUN_AS ]] || return 0
  if ! id "$RUN_AS" >/dev/null 2>&1; then
    log "creating system user $RUN_AS to own the local PostgreSQL cluster"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$RUN_AS"
  fi
  # The owner must be able to reach the repository's .local directory.
  local dir="$KOKUHO_ROOT"
  local -a blocked=()
  while [[ $dir != / ]]; do
    runuser -u "$RUN_AS" -- test -x "$dir" || blocked+=("$dir")
    dir=$(dirname "$dir")
  done
  if ((${#blocked[@]})); then
    log "granting search (o+x) permission on ${blocked[*]} so that $RUN_AS can reach $PG_DIR"
    chmod o+x "${blocked[@]}"
  fi
}

prepare_dirs() {
  mkdir -p "$PG_DIR" "$PG_LOG" "$PG_SOCKET_DIR"
  [[ -n $RUN_AS ]] && chown -R "$RUN_AS:" "$PG_DIR"
  chmod 700 "$PG_SOCKET_DIR"
}

init_cluster() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  rm -rf "$PG_DATA" # a half-initialised directory from an interrupted first start
  log "initdb (PostgreSQL $PG_VERSION, UTF8, locale C, superuser $PG_ADMIN_USER) in $PG_DATA"
  local pwfile="$PG_DIR/.pwfile"
  printf '%s\n' "$PG_ADMIN_PASSWORD" >"$pwfile"
  [[ -n $RUN_AS ]] && chown "$RUN_AS:" "$pwfile"
  chmod 600 "$pwfile"
  if ! as_pg "$PG_BIN_DIR/initdb" -D "$PG_DATA" -U "$PG_ADMIN_USER" --pwfile="$pwfile" \
    -E UTF8 --locale=C --auth=scram-sha-256 >"$PG_LOG/initdb.log" 2>&1; then
    rm -f "$pwfile"
    cat "$PG_LOG/initdb.log" >&2
    die "initdb failed; see $PG_LOG/initdb.log"
  fi
  rm -f "$pwfile"
  printf "\n# Kokuho local settings (rendered from deploy/local/postgres/)\ninclude 'kokuho.conf'\n" \
    >>"$PG_DATA/postgresql.conf"
}

write_config() {
  sed -e "s|@PG_PORT@|$PG_PORT|g" \
    -e "s|@PG_SOCKET_DIR@|$PG_SOCKET_DIR|g" \
    -e "s|@PG_LOG_DIR@|$PG_LOG|g" \
    "$DEPLOY_DIR/postgres/postgresql.conf.template" >"$PG_DATA/kokuho.conf"
  cp "$DEPLOY_DIR/postgres/pg_hba.conf" "$PG_DATA/pg_hba.conf"
  [[ -n $RUN_AS ]] && chown "$RUN_AS:" "$PG_DATA/kokuho.conf" "$PG_DATA/pg_hba.conf"
  chmod 600 "$PG_DATA/kokuho.conf" "$PG_DATA/pg_hba.conf"
  write_certificate
}

# write_certificate: the server's TLS certificate (ssl = on; ADR 0094), signed by the local CA
# .local/tls/ca.crt (deploy/local/tls.py, made on first use), naming 127.0.0.1 and localhost;
# issued again when it is not current. Plain connections keep working (pg_hba: host).
write_certificate() {
  local tls_dir="$PG_DIR/tls" uv
  uv=$(find_uv || echo uv)
  (cd "$KOKUHO_ROOT" && "$uv" run --frozen python "$DEPLOY_DIR/tls.py" issue server \
    --out "$tls_dir" --ca-dir "$LOCAL_DIR/tls" --dns localhost --ip "$PG_HOST" --ip ::1 >/dev/null) ||
    die "could not issue the PostgreSQL server certificate (deploy/local/tls.py)"
  cp "$tls_dir/server.crt" "$PG_DATA/server.crt"
  cp "$tls_dir/server.key" "$PG_DATA/server.key"
  [[ -n $RUN_AS ]] && chown "$RUN_AS:" "$PG_DATA/server.crt" "$PG_DATA/server.key"
  chmod 600 "$PG_DATA/server.key"
}

is_running() {
  [[ -f $PG_DATA/PG_VERSION ]] || return 1
  pg_ctl status >/dev/null 2>&1
}

pg_ready() {
  local isready="$PG_BIN_DIR/pg_isready"
  [[ -x $isready ]] || isready=$(command -v pg_isready || true)
  if [[ -n $isready ]]; then
    "$isready" -q -h "$PG_HOST" -p "$PG_PORT" -d postgres -t 2
  else
    port_open "$PG_HOST" "$PG_PORT"
  fi
}

start() {
  if is_running; then
    log "already running on $PG_HOST:$PG_PORT (data $PG_DATA)"
    return 0
  fi
  port_open "$PG_HOST" "$PG_PORT" && die "port $PG_HOST:$PG_PORT is in use by another process (not our PostgreSQL)"
  ensure_user
  prepare_dirs
  init_cluster
  write_config
  log "starting PostgreSQL $PG_VERSION on $PG_HOST:$PG_PORT; logs in $PG_LOG"
  if ! pg_ctl -l "$PG_LOG/pg_ctl.log" -w -t 60 start >/dev/null; then
    tail -n 20 "$PG_LOG/pg_ctl.log" >&2 || true
    die "PostgreSQL did not start; see $PG_LOG/pg_ctl.log and $PG_LOG/postgresql-*.log"
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    if pg_ready; then
      if command -v psql >/dev/null 2>&1 &&
        ! psql "$PG_ADMIN_DSN" -XAtqc 'select 1' >/dev/null 2>&1; then
        die "PostgreSQL answers but $PG_ADMIN_USER cannot log in; see $PG_LOG"
      fi
      log "ready: $PG_ADMIN_DSN"
      return 0
    fi
    sleep 1
  done
  die "PostgreSQL did not accept connections on $PG_HOST:$PG_PORT; see $PG_LOG"
}

stop() {
  if ! is_running; then
    log "not running"
    return 0
  fi
  log "stopping"
  pg_ctl -m fast -w -t 60 stop >/dev/null
  log "stopped"
}

status() {
  if is_running; then
    log "running on $PG_HOST:$PG_PORT (PostgreSQL $PG_VERSION, data $PG_DATA, logs $PG_LOG)"
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
