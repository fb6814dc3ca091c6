"""Which published contract travels on which topic, read from the contract modules.

Published contracts are those of ``kokuho.events.contracts``'s modules, one per producing
service.

Each contract module names its topics as module constants ending in ``TOPIC`` (``EVENTS_TOPIC``,
``TOPIC``, ``PERSONAL_DETAILS_TOPIC``…). A contract travels on its module's events topic unless
``ON_OTHER_TOPICS`` below names it: the table is kept here, beside the catalog, so the contract
modules stay plain data; the catalog test fails when a topic constant has no contract or a
contract has no topic.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType

import kokuho.events.contracts as contracts_package
from kokuho.events.contracts.registry import EventContract, contract_for, event_types

#: Contracts published on a topic other than their module's events topic.
ON_OTHER_TOPICS = {
    "jp.kokuho.eligibility.personal_details_recorded.v1": "kokuho.eligibility.personal-details",
    "jp.kokuho.assessment.household_income_facts_stated.v1": "kokuho.assessment.income-facts",
}

#: Topics restricted to named consumers (the broker's ACLs say who): never for a department
#: unless a transfer in linkage-gateway's registry names it.
RESTRICTED = {
    "kokuho.eligibility.personal-details": "names and addresses; eligibility's own consumers",
    "kokuho.assessment.income-facts": "income figures; benefits only (ADR 0045)",
}

#: Compacted topics: the latest value per key, a null value (tombstone) erases.
COMPACTED = frozenset({"kokuho.eligibility.personal-details"})

#: The Kafka key (the envelope's ``partitionkey``) per topic, and why.
KEYS = {
    "kokuho.eligibility.personal-details": "宛名番号 (addressee number, 10 digits)",
    "kokuho.linkage-gateway.events": "宛名番号 (addressee number, 10 digits)",
}
DEFAULT_KEY = "国保世帯番号 (NHI household number, 10 digits): one household's events in order"

#: Contracts keyed otherwise than their topic.
EVENT_KEYS = {
    "jp.kokuho.collection.tax_deduction_transferred.v1": "the transfer id: its parts in order",
}


def key_of(topic: Topic, contract: type[EventContract]) -> str:
    return EVENT_KEYS.get(contract.event_type, topic.key)


_NOT_CONTRACTS = frozenset({"envelope", "registry", "payment_numbers"})


@dataclass(frozen=True)
class Topic:
    name: str
    service: str
    description: str
    key: str
    compacted: bool
    restricted: str | None
    contracts: list[type[EventContract]] = field(default_factory=list)


def contract_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{contracts_package.__name__}.{m.name}")
        for m in pkgutil.iter_modules(contracts_package.__path__)
        if m.name not in _NOT_CONTRACTS
    ]


def topic_constants(module: ModuleType) -> list[str]:
    return sorted(
        {
            value
            for name, value in vars(module).items()
            if name.endswith("TOPIC") and isinstance(value, str) and value.startswith("kokuho.")
        }
    )


def _events_topic(module: ModuleType) -> str | None:
    for name in ("EVENTS_TOPIC", "TOPIC"):
        value = getattr(module, name, None)
        if isinstance(value, str):
            return value
    return None


def _service(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1].replace("_", "-")


def published_event_types() -> list[str]:
    """The registered types defined in the contract modules. Services also register private
    events (kept in their own stores, never published) and tests register samples: those are
    not in the catalog."""
    prefix = contracts_package.__name__ + "."
    return [t for t in event_types() if contract_for(t).__module__.startswith(prefix)]


#: The key of every department feed and its current-state companion.
FEED_KEY = "宛名番号 (addressee number, 10 digits): one person's entries in order"


def feed_topics() -> dict[str, Topic]:
    """The department feeds of the transfer registry (``kokuho.events.transfers``, ADR 0089):
    each feed topic and its compacted companion, with the contract the registry names."""
    from kokuho.events.transfers import load_registry

    found: dict[str, Topic] = {}
    for flow in load_registry().feeds():
        assert flow.feed_event_type is not None  # checked by the loader
        contract = contract_for(flow.feed_event_type)
        doc = (contract.__doc__ or "").strip().split("\n\n")[0]
        restricted = (
            f"the {flow.recipient} only (transfer {flow.seed_number}, {flow.flow_id};"
            f" basis: {flow.legal_basis})"
        )
        for name in flow.feed_topics:
            found[name] = Topic(
                name=name,
                service=flow.owning_service,
                description=doc,
                key=FEED_KEY,
                compacted=name == flow.snapshot_topic,
                restricted=restricted,
                contracts=[contract],
            )
    return found


def topics() -> list[Topic]:
    """Every published topic with its contracts, in name order (the department feeds
    included)."""
    feeds = feed_topics()
    fed = {c.event_type for topic in feeds.values() for c in topic.contracts}
    found: dict[str, Topic] = dict(feeds)
    home: dict[str, str | None] = {}
    for module in contract_modules():
        doc = (module.__doc__ or "").strip().split("\n\n")[0]
        for name in topic_constants(module):
            found[name] = Topic(
                name=name,
                service=_service(module),
                description=doc,
                key=KEYS.get(name, DEFAULT_KEY),
                compacted=name in COMPACTED,
                restricted=RESTRICTED.get(name),
            )
        home[module.__name__] = _events_topic(module)
    for event_type in published_event_types():
        if event_type in fed:
            continue
        contract = contract_for(event_type)
        topic = ON_OTHER_TOPICS.get(event_type) or home.get(contract.__module__)
        if topic is None or topic not in found:
            raise LookupError(f"{event_type}: no topic declared for this contract")
        found[topic].contracts.append(contract)
    return [found[name] for name in sorted(found)]
