"""Where the benchmarks find PostgreSQL and Kafka: .local/endpoints.json, else the env."""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def endpoints() -> tuple[str, str]:
    pg = os.environ.get("KOKUHO_PG_ADMIN_DSN")
    kafka = os.environ.get("KOKUHO_KAFKA_BOOTSTRAP")
    path = ROOT / ".local" / "endpoints.json"
    if (pg is None or kafka is None) and path.exists():
        data = json.loads(path.read_text())
        pg = pg or data["postgres"]["admin_dsn"]
        kafka = kafka or data["kafka"]["bootstrap_servers"]
    if pg is None or kafka is None:
        raise SystemExit("no infrastructure found: run `make up` first (make bench does)")
    return pg, kafka
