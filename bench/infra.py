"""Where the benchmarks find PostgreSQL and Kafka: .local/endpoints.json, else the env.

The benches connect to the broker as its super user (they make topics of their own and play
every service's part); ``kafka_as`` gives a service's own user where a bench runs a service."""

from __future__ import annotations

import json
import os
from pathlib import Path

from kokuho.events.runtime.access import AclRule, grant, service_rules
from kokuho.events.runtime.connection import (
    ADMIN_USER,
    KafkaConnection,
    connection_from_endpoints,
)
from kokuho.events.runtime.topics import dead_letter_topic

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


def user_env(prefix: str, user: KafkaConnection) -> dict[str, str]:
    """A service's settings (``prefix``: ``KOKUHO_<SERVICE>_``) that connect as ``user``."""
    return {
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": user.bootstrap_servers,
        f"{prefix}KAFKA_SECURITY_PROTOCOL": user.security_protocol,
        f"{prefix}KAFKA_USERNAME": user.username,
        f"{prefix}KAFKA_PASSWORD": user.password,
    }


async def grant_bench_topics(
    kafka: KafkaConnection,
    user: KafkaConnection,
    *,
    owned: list[str],
    consumed: list[str],
    group_prefix: str,
) -> dict[str, list[AclRule]]:
    """Give a service's own ``user`` on the bench's topics what it has on the real ones (ADR
    0086); returns the grants, for ``revoke`` when the bench is done."""
    grants = {
        f"User:{user.username}": service_rules(
            owned=[*owned, *(dead_letter_topic(t) for t in owned)],
            consumed=consumed,
            dead_letters=[dead_letter_topic(t) for t in consumed],
            group_prefix=group_prefix,
        )
    }
    await grant(kafka, grants)
    return grants
