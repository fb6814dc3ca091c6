"""The transfer registry (移転, flows.md section 6): every transfer of the NHI file to another
division of the city, with its recipient, basis, allowed items, frequency, channel, owning
service and, for a transfer delivered by events, the topic made for that recipient.

One file, ``transfer_flows.toml`` beside this module, read by every party that needs it:
linkage-gateway (checks, manual hand-overs, the yearly file, ``/transfers/registry``), each owning
service (its department feeds, ``kokuho.events.runtime.feeds``), the event catalog (the feed
topics) and the broker's access lists (``deploy/kafka_access.py``: a feed topic is written by
its ``owning_service`` and read by its ``recipient`` only). ADR 0025, ADR 0089.

A row that breaks the registry's rules stops whoever loads it (fail closed).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

#: How a transfer leaves (C-68): the common platform's internal linkage (an event feed or a
#: yearly file) or a medium handed over by a person.
CHANNELS = frozenset({"event-feed", "yearly-file", "manual-handover", "unknown"})
MEDIA = frozenset({"paper", "flash-memory"})
METHODS = frozenset({"platform-linkage", *MEDIA})
#: approved: deliverable; incomplete: the source leaves cells out; unknown: the row is missing.
STATUSES = frozenset({"approved", "incomplete", "unknown"})
UNKNOWN = "unknown"
#: Never an item of a transfer: the source does not say any transfer carries the number.
INDIVIDUAL_NUMBER = "individual_number"
#: Every department feed topic starts so (``deploy/kafka_access.py`` grants them per recipient).
FEED_TOPIC_PREFIX = "kokuho.feeds."


@dataclass(frozen=True)
class TransferFlow:
    """One transfer of the source (flows.md section 6): to whom, for which affair, on which
    basis, which items (only those), how often, by which channel, from which service; for an
    event feed, its topic (``feed_topic``), the compacted current-state companion where the
    recipient needs a snapshot (``snapshot_topic``) and the contract of its messages
    (``feed_event_type``, whose fields are exactly ``items``)."""

    flow_id: str
    seed_number: int
    status: str  # approved | incomplete | unknown
    recipient: str = UNKNOWN
    recipient_division: str = UNKNOWN
    affair: str = UNKNOWN
    legal_basis: str = UNKNOWN
    items: frozenset[str] = frozenset()
    persons: str = UNKNOWN
    frequency: str = UNKNOWN
    channel: str = UNKNOWN
    medium: str | None = None
    owning_service: str = UNKNOWN
    feed_topic: str | None = None
    snapshot_topic: str | None = None
    feed_event_type: str | None = None

    @property
    def method(self) -> str:
        """The approved method (C-68): internal linkage, or the medium handed over."""
        if self.channel in ("event-feed", "yearly-file"):
            return "platform-linkage"
        if self.channel == "manual-handover" and self.medium:
            return self.medium
        return UNKNOWN

    @property
    def deliverable(self) -> bool:
        return self.status == "approved"

    @property
    def is_feed(self) -> bool:
        """An approved transfer delivered by its owning service's feed topic."""
        return self.deliverable and self.channel == "event-feed"

    @property
    def feed_topics(self) -> tuple[str, ...]:
        """The feed topic and its current-state companion (if any)."""
        return tuple(t for t in (self.feed_topic, self.snapshot_topic) if t)


class FlowMalformed(ValueError):
    """A registry row that breaks the registry's own rules (stops start-up)."""


def checked_flow(flow: TransferFlow) -> TransferFlow:
    """A row as the registry allows it: an approved flow has every cell, a known channel and
    method; no flow lists the individual number; a missing row carries nothing; an approved
    event feed names its topic (``kokuho.feeds.``…) and contract, and nothing else does."""
    problems = []
    if flow.status not in STATUSES:
        problems.append(f"status {flow.status!r}")
    if flow.channel not in CHANNELS:
        problems.append(f"channel {flow.channel!r}")
    if (flow.channel == "manual-handover") != (flow.medium is not None):
        problems.append("a medium goes with a manual hand-over, and only with it")
    if flow.medium is not None and flow.medium not in MEDIA:
        problems.append(f"medium {flow.medium!r}")
    if INDIVIDUAL_NUMBER in flow.items:
        problems.append("the individual number is not an item of any transfer")
    if flow.status == "approved":
        cells = (flow.recipient, flow.affair, flow.legal_basis, flow.frequency, flow.channel)
        if UNKNOWN in cells or not flow.items or flow.method not in METHODS:
            problems.append("an approved flow needs every cell")
    if flow.status == "unknown" and (flow.items or flow.recipient != UNKNOWN):
        problems.append("a row missing from the source carries nothing")
    if flow.is_feed:
        if flow.feed_topic is None or flow.feed_event_type is None:
            problems.append("an approved event feed names its feed_topic and feed_event_type")
        if "addressee_number" not in flow.items:
            problems.append("a feed is keyed by the addressee number, so it is an item")
        for topic in flow.feed_topics:
            if not topic.startswith(FEED_TOPIC_PREFIX):
                problems.append(f"feed topic {topic!r} outside {FEED_TOPIC_PREFIX}")
        if flow.snapshot_topic is not None and flow.snapshot_topic == flow.feed_topic:
            problems.append("the snapshot topic is a second topic")
    elif flow.feed_topic or flow.snapshot_topic or flow.feed_event_type:
        problems.append("only an approved event feed has a feed topic")
    if problems:
        raise FlowMalformed(f"flow {flow.flow_id!r}: " + "; ".join(problems))
    return flow


@dataclass(frozen=True)
class TransferRegistry:
    version: str
    flows: Mapping[str, TransferFlow]

    def by_seed_number(self) -> list[TransferFlow]:
        return sorted(self.flows.values(), key=lambda f: f.seed_number)

    def feeds(self, owning_service: str | None = None) -> list[TransferFlow]:
        """The approved event feeds (of ``owning_service``), in seed order."""
        return [
            f
            for f in self.by_seed_number()
            if f.is_feed and owning_service in (None, f.owning_service)
        ]


class RegistryFileError(ValueError):
    """The registry file is missing a key, malformed, or breaks a rule (stops start-up)."""


REGISTRY_FILE = Path(str(files(__name__).joinpath("transfer_flows.toml")))

_TEXTS = (
    "recipient",
    "recipient_division",
    "affair",
    "legal_basis",
    "persons",
    "frequency",
    "channel",
    "owning_service",
)
_OPTIONAL = ("medium", "feed_topic", "snapshot_topic", "feed_event_type")


def _flow(entry: Mapping[str, Any]) -> TransferFlow:
    return checked_flow(
        TransferFlow(
            flow_id=str(entry["flow_id"]),
            seed_number=int(entry["seed_number"]),
            status=str(entry["status"]),
            items=frozenset(str(i) for i in entry.get("items", [])),
            **{k: str(entry[k]) for k in _TEXTS if k in entry},
            **{k: str(entry[k]) for k in _OPTIONAL if k in entry},
        )
    )


def load_registry(path: Path = REGISTRY_FILE) -> TransferRegistry:
    """The registry in ``path`` (by default the one beside this module). Each feed's contract
    must carry exactly its items, and no topic may serve two feeds (C-67: nothing more than the
    registry allows reaches a recipient)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        flows: dict[str, TransferFlow] = {}
        for entry in data.get("flow", []):
            flow = _flow(entry)
            if flow.flow_id in flows:
                raise RegistryFileError(f"flow {flow.flow_id!r} twice")
            flows[flow.flow_id] = flow
        registry = TransferRegistry(str(data.get("version", "")), flows)
        _check_feeds(registry)
    except (LookupError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise RegistryFileError(f"{path.name}: missing or malformed entry ({exc})") from None
    return registry


def _check_feeds(registry: TransferRegistry) -> None:
    from kokuho.events.contracts import contract_for
    from kokuho.events.contracts import feeds as feed_contracts

    seen: set[str] = set()
    for flow in registry.feeds():
        for topic in flow.feed_topics:
            if topic in seen:
                raise RegistryFileError(f"topic {topic!r} serves two feeds")
            seen.add(topic)
        assert flow.feed_event_type is not None  # checked_flow
        contract = contract_for(flow.feed_event_type)
        if contract.__module__ != feed_contracts.__name__:
            raise RegistryFileError(f"{flow.flow_id}: {flow.feed_event_type} is not a feed")
        fields = set(contract.model_fields)
        if fields != flow.items:
            raise RegistryFileError(
                f"{flow.flow_id}: the contract {flow.feed_event_type} carries {sorted(fields)},"
                f" the registry allows {sorted(flow.items)}"
            )
