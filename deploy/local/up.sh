#!/usr/bin/env bash
# Start the local infrastructure (PostgreSQL, Kafka) and write .local/endpoints.json.
# Idempotent: what already runs is left alone. Checks the prerequisites first (prereqs.sh ensure).
set -euo pipefail
LOG_TAG=up
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Java, Maven, the PostgreSQL server and Python: names what is missing and the one command that
# installs it all; as root on a machine with apt-get, installs it.
"$DEPLOY_DIR/prereqs.sh" ensure || exit 1

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
