#!/usr/bin/env bash
# Start the local infrastructure (PostgreSQL, Kafka) and write .local/endpoints.json.
# Idempotent: what already runs is left alone.
set -euo pipefail
LOG_TAG=up
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
need() { # need WHAT DEBIAN_UBUNTU_INSTALL MACOS_INSTALL
  missing+=("$1
      Debian/Ubuntu: $2
      macOS:         $3")
}
apt_line() { echo "sudo apt-get install -y $*"; }
brew_line() { echo "brew install $*"; }

# java >= 17
if command -v java >/dev/null 2>&1; then
  jv=$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9]*\)\)\{0,1\}.*/\1 \3/p' | head -n1)
  read -r jmajor jminor <<<"${jv:-0 0}"
  [[ $jmajor == 1 ]] && jmajor=${jminor:-0} # "1.8.0" style
  ((jmajor >= 17)) || need "Java >= 17 (found $jmajor)" "$(apt_line openjdk-17-jdk-headless)" "$(brew_line openjdk@17)"
else
  need "Java >= 17 (java)" "$(apt_line openjdk-17-jdk-headless)" "$(brew_line openjdk@17)"
fi
command -v mvn >/dev/null 2>&1 || need "Maven (mvn), to fetch the Kafka jars" "$(apt_line maven)" "$(brew_line maven)"
if pgbin=$(find_pg_bin); then
  pgv=$(pg_major "$pgbin")
  ((pgv >= 15)) || need "PostgreSQL server >= 15 (found $pgv in $pgbin)" "$(apt_line postgresql)" "$(brew_line postgresql@16)"
else
  need "PostgreSQL server binaries >= 15 (initdb, pg_ctl, postgres; or set PG_BIN)" "$(apt_line postgresql)" "$(brew_line postgresql@16)"
fi
command -v uv >/dev/null 2>&1 || need "uv" "pip install uv   (or: curl -LsSf https://astral.sh/uv/install.sh | sh)" "$(brew_line uv)"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  :
else
  need "Python >= 3.11 (python3)" "$(apt_line python3) (Debian 12 / Ubuntu 24.04 ship >= 3.11)" "$(brew_line python@3.11)"
fi
if ((${#missing[@]})); then
  printf '[up] missing prerequisite: %s\n' "${missing[@]}" >&2
  exit 1
fi

"$DEPLOY_DIR/postgres.sh" start
"$DEPLOY_DIR/kafka.sh" start
write_endpoints

cat <<MSG
[up] infrastructure is up
      Kafka       $KAFKA_HOST:$KAFKA_PORT      logs: .local/kafka/logs/server.log
      PostgreSQL  $PG_ADMIN_DSN      logs: .local/postgres/log/
      endpoints   $LOCAL_DIR/endpoints.json
      stop with   make down
MSG
