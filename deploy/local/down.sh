#!/usr/bin/env bash
# Stop everything deploy/local started: services (run.sh), then Kafka, then PostgreSQL.
# Idempotent; data in .local/ is kept (make clean removes it).
set -euo pipefail
LOG_TAG=down
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$DEPLOY_DIR/run.sh" stop
"$DEPLOY_DIR/kafka.sh" stop
"$DEPLOY_DIR/postgres.sh" stop
