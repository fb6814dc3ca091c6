"""Which Kafka topics each service may write and read: the one source for every broker's ACLs.

Read from the services themselves, never written down a second time:

- a service *owns* the topics its ``migrate`` declares (``ServiceDefinition.topics`` with their
  dead-letter topics) whose names start with ``kokuho.<service>.``, and the department feeds the
  transfer registry names it the ``owning_service`` of (``feed_topic``, ``snapshot_topic``;
  ``kokuho.events.transfers``, ADR 0089): it writes and reads them;
- it *consumes* the topics its settings name (every ``*_topic`` field, at its default) that
  another service owns: it reads them and writes their dead-letter topic (``<topic>.dlq``),
  where its consumer puts what it cannot apply;
- its consumer groups are ``kokuho.<service>.*`` (``ServiceSettings.consumer_group_prefix``);
- each department that receives an event feed (the registry's ``recipient`` of an approved
  event-feed flow) is a user of its own that reads its feed topics (``feed_topic``,
  ``snapshot_topic``) and nothing else, in the consumer groups ``<department>.*``.

Every service and department is a broker user of its own name (ADR 0086). ``deploy/k8s/generate.py``
turns this into Strimzi ``KafkaTopic`` and ``KafkaUser`` resources; ``deploy/local/kafka.sh`` gives
the local broker exactly the same rules (``python deploy/kafka_access.py apply``, as the super
user). ``python deploy/kafka_access.py`` prints the rules as JSON, ``python deploy/kafka_access.py
users`` the user names.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    replicas: int
    compacted: bool


@dataclass(frozen=True)
class ServiceAccess:
    service: str
    owned: tuple[Topic, ...]
    consumed: tuple[str, ...]
    dead_letters: tuple[str, ...] = field(default=())  # of the consumed topics

    @property
    def group_prefix(self) -> str:
        return f"kokuho.{self.service}."

    @property
    def user(self) -> str:
        return self.service

    def rules(self) -> list[Any]:
        from kokuho.events.runtime.access import service_rules

        return service_rules(
            owned=[t.name for t in self.owned],
            consumed=self.consumed,
            dead_letters=self.dead_letters,
            group_prefix=self.group_prefix,
        )


@dataclass(frozen=True)
class DepartmentAccess:
    """A division of the city that receives event feeds (the transfer registry's recipient)."""

    department: str
    feeds: tuple[str, ...]

    @property
    def group_prefix(self) -> str:
        return f"{self.department}."

    @property
    def user(self) -> str:
        return self.department

    def rules(self) -> list[Any]:
        from kokuho.events.runtime.access import reader_rules

        return reader_rules(topics=self.feeds, group_prefix=self.group_prefix)


def services() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("services/*/pyproject.toml"))


def _module(service: str) -> str:
    return f"kokuho.{service.replace('-', '_')}"


def access_of(service: str, *, replicas: int = 3) -> ServiceAccess:
    """The topics of ``service`` as its code declares them, sized for a cluster of ``replicas``."""
    from kokuho.events.runtime.topics import dead_letter_topic
    from kokuho.events.transfers import load_registry
    from kokuho.platform.commands import topic_specs

    # The defaults, not whatever KOKUHO_* variables the caller's shell happens to hold.
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("KOKUHO_")}
    try:
        main = importlib.import_module(f"{_module(service)}.__main__")
        definition = main.DEFINITION if hasattr(main, "DEFINITION") else main.definition()
        settings = definition.settings()
    finally:
        os.environ.update(saved)
    own = f"kokuho.{service}."
    # the department feeds the transfer registry gives this service (ADR 0089): it writes them
    feeds = {t for flow in load_registry().feeds(service) for t in flow.feed_topics}
    feeds |= {dead_letter_topic(t) for t in feeds}
    declared = topic_specs(settings, definition.topics)
    owned = tuple(
        Topic(t.name, t.partitions, replicas, t.compacted)
        for t in declared
        if t.name.startswith(own) or t.name in feeds
    )
    named = {
        getattr(settings, f)
        for f in type(settings).model_fields
        if f.endswith("_topic") and getattr(settings, f)
    }
    consumed = tuple(sorted(t for t in named if not t.startswith(own) and t not in feeds))
    return ServiceAccess(
        service,
        owned,
        consumed,
        tuple(dead_letter_topic(t) for t in consumed),
    )


def all_departments() -> list[DepartmentAccess]:
    """The departments with event feeds: each recipient of the registry's approved event-feed
    flows (``kokuho.events.transfers``), with its feed topics."""
    from kokuho.events.transfers import load_registry

    feeds: dict[str, set[str]] = {}
    for flow in load_registry().feeds():
        feeds.setdefault(flow.recipient, set()).update(flow.feed_topics)
    return [DepartmentAccess(d, tuple(sorted(t))) for d, t in sorted(feeds.items())]


def all_access(*, replicas: int = 3) -> list[ServiceAccess]:
    return [access_of(s, replicas=replicas) for s in services()]


def all_users() -> list[ServiceAccess | DepartmentAccess]:
    """Every broker user but the super user: one per service, one per department."""
    return [*all_access(), *all_departments()]


async def apply(connection: Any) -> tuple[int, int]:
    """Give the broker behind ``connection`` (as its super user) exactly every user's rules on
    Kokuho's own topics and groups (a rule no longer derived is deleted; the tests' grants on
    their own topics are left alone); returns (bindings sent, stale bindings deleted)."""
    from kokuho.events.runtime.access import sync

    users = all_users()
    prefixes = ("kokuho.", *(u.group_prefix for u in users))
    return await sync(
        connection,
        {f"User:{u.user}": u.rules() for u in users},
        lambda name: name.startswith(prefixes),
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["users"]:
        print("\n".join(u.user for u in all_users()))
        return 0
    if argv[:1] == ["apply"]:
        from kokuho.events.runtime.connection import local_connection

        endpoints = Path(argv[1]) if argv[1:] else None
        sent, deleted = asyncio.run(apply(local_connection(path=endpoints)))
        print(f"ACLs applied ({sent} bindings, {deleted} stale ones deleted)")
        return 0
    if argv:
        print("usage: kafka_access.py [users | apply [ENDPOINTS.json]]", file=sys.stderr)
        return 2
    json.dump(
        {u.user: [r.strimzi() for r in u.rules()] for u in all_users()},
        sys.stdout,
        indent=2,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
