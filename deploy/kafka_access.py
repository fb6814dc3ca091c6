"""Which Kafka topics each service may write and read: the one source for every broker's ACLs.

Read from the services themselves, never written down a second time:

- a service *owns* the topics its ``migrate`` declares (``ServiceDefinition.topics`` with their
  dead-letter topics) whose names start with ``kokuho.<service>.``, and the department feeds the
  transfer registry names it the ``owning_service`` of (``feed_topic``, ``snapshot_topic``;
  ``kokuho.events.transfers``, ADR 0089): it writes and reads them;
- it *consumes* the topics its settings name (every ``*_topic`` field, at its default) that
  another service owns: it reads them and writes their dead-letter topic (``<topic>.dlq``),
  where its consumer puts what it cannot apply;
- its consumer groups are ``kokuho.<service>.*`` (``ServiceSettings.consumer_group_prefix``).

``deploy/k8s/generate.py`` turns this into Strimzi ``KafkaTopic`` and ``KafkaUser`` resources; the
local broker can turn the same lists into ``kafka-acls`` calls (``python deploy/kafka_access.py``
prints them as JSON).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

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
    consumed = tuple(sorted(t for t in named if not t.startswith(own)))
    return ServiceAccess(
        service,
        owned,
        consumed,
        tuple(dead_letter_topic(t) for t in consumed),
    )


def all_access(*, replicas: int = 3) -> list[ServiceAccess]:
    return [access_of(s, replicas=replicas) for s in services()]


if __name__ == "__main__":
    json.dump(
        {
            a.service: {
                "owned": [t.name for t in a.owned],
                "consumed": list(a.consumed),
                "dead_letters": list(a.dead_letters),
                "group_prefix": a.group_prefix,
            }
            for a in all_access()
        },
        sys.stdout,
        indent=2,
    )
    print()
