"""Where the benchmarks find PostgreSQL and Kafka: .local/endpoints.json, else the env.

The benches connect to the broker as its super user (they make topics of their own and play
every service's part); ``kafka_as`` gives a service's own user where a bench runs a service."""

from __future__ import annotations

import json
import os
from pathlib import Path

from kokuho.events.runtime.connection import (
    ADMIN_USER,
    KafkaConnection,
    connection_from_endpoints,
)

ROOT = Path(__file__).resolve().parent.parent


def endpoints() -> tuple[str, KafkaConnection]:
    pg = os.environ.get("KOKUHO_PG_ADMIN_DSN")
    kafka = os.environ.get("KOKUHO_KAFKA_BOOTSTRAP")
    path = ROOT / ".local" / "endpoints.json"
    if (pg is None or kafka is None) and path.exists():
        data = json.loads(path.read_text())
        pg = pg or data["postgres"]["admin_dsn"]
        kafka = kafka or data["kafka"]["bootstrap_servers"]
    if pg is None or kafka is None:
        raise SystemExit("no infrastructure found: run `make up` first (make bench does)")
    return pg, kafka_as(ADMIN_USER, bootstrap=kafka)


def kafka_as(user: str, *, bootstrap: str | None = None) -> KafkaConnection:
    """The local broker as ``user`` (its password from .local/endpoints.json)."""
    data = json.loads((ROOT / ".local" / "endpoints.json").read_text())["kafka"]
    if bootstrap:
        data = {**data, "bootstrap_servers": bootstrap}
    return connection_from_endpoints(data, user)
