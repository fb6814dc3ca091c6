"""Load ledgers, decide, append their events and save them: the one write path every use case
of collection goes through (a single household or a batch of them, in one transaction)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_json

from kokuho.collection.app.ports import CollectionUnitPort, PreparedLedgers, Versioned
from kokuho.collection.app.translate import contract_data, is_published, to_contract
from kokuho.collection.domain.ledger import Event, Ledger, replay
from kokuho.events.contracts import EventContract
from kokuho.events.contracts.registry import contract_for
from kokuho.events.ports import EventContext, StreamAppend


def stream_id(household: str) -> str:
    return f"household-{household}"


def private_stream_id(household: str) -> str:
    return f"household-{household}.changes"


@dataclass
class Batch:
    """Ledgers of a batch as they change, and the events to append for each."""

    loaded: dict[str, Versioned]
    changed: dict[str, Ledger] = field(default_factory=dict)
    events: dict[str, list[Event]] = field(default_factory=dict)

    def ledger(self, household: str) -> Ledger | None:
        if household in self.changed:
            return self.changed[household]
        found = self.loaded.get(household)
        return None if found is None else found.ledger

    def apply(self, household: str, events: Sequence[Event]) -> Ledger:
        current = self.ledger(household) or Ledger(household)
        if not events:
            return current
        updated = replay(household, events, current)
        self.changed[household] = updated
        self.events.setdefault(household, []).extend(events)
        return updated

    def put(self, household: str, ledger: Ledger, events: Sequence[Event]) -> None:
        """``ledger`` as ``events`` evolved it from this batch's (a use case that evolves
        several decisions itself, e.g. a household's lines of a payment file)."""
        if events:
            self.changed[household] = ledger
            self.events.setdefault(household, []).extend(events)

    def reorder(self, households: Sequence[str]) -> None:
        """The changed households' events appended in this order (all of them, each once)."""
        if list(self.events) != list(households):
            if sorted(self.events) != sorted(households):
                raise ValueError("a reorder names every changed household once")
            self.events = {h: self.events[h] for h in households}

    def decide(
        self, household: str, decide: Callable[[Ledger], Sequence[Event]]
    ) -> tuple[Ledger, list[Event]]:
        events = list(decide(self.ledger(household) or Ledger(household)))
        return self.apply(household, events), events


async def open_batch(uow: CollectionUnitPort, households: Sequence[str]) -> Batch:
    return Batch(await uow.ledgers.load_many(sorted(set(households))))


@dataclass(frozen=True)
class PreparedBatch:
    """A batch's rows built ahead of its write, without I/O: the streams' appends (domain
    events as contracts) and the ledgers' rows. Several are written as one (``joined``)."""

    appends: list[StreamAppend]
    ledgers: list[PreparedLedgers]

    @staticmethod
    def joined(parts: Sequence[PreparedBatch]) -> PreparedBatch:
        if len(parts) == 1:
            return parts[0]
        return PreparedBatch(
            [a for p in parts for a in p.appends], [x for p in parts for x in p.ledgers]
        )


@dataclass(frozen=True)
class StreamEvents:
    """A household's events of a batch as their contracts, as they are appended: the public
    ones on its stream after ``version``, the private ones on its private stream. Matched in
    a worker process, each contract is ``(event type, JSON)`` until the writing process
    validates it (``validated``, ADR 0116)."""

    household: str
    version: int
    public: list[Any]
    private: list[Any]


def stream_events(batch: Batch, encode: bool = False) -> tuple[list[StreamEvents], list[Versioned]]:
    """The batch's events as contracts (``encoded`` if ``encode``), and its ledgers at the
    versions their streams reach."""
    streams: list[StreamEvents] = []
    saved: list[Versioned] = []
    contract = encoded if encode else to_contract
    for household, events in batch.events.items():
        version = batch.loaded[household].version if household in batch.loaded else 0
        public: list[Any] = []
        private: list[Any] = []
        for e in events:
            (public if is_published(e) else private).append(contract(household, e))
        saved.append(Versioned(batch.changed[household], version + len(public)))
        streams.append(StreamEvents(household, version, public, private))
    return streams, saved


def encoded(household: str, event: Event) -> tuple[str, bytes]:
    """An event's contract as a worker process hands it back: its type and its data as JSON,
    not validated there (``validated`` does it once, in the writing process: ADR 0116). Text
    pickles at almost no cost, the contract's instance ten times slower (ADR 0103)."""
    cls, data = contract_data(household, event)
    return cls.event_type, to_json(data)


def validated(streams: Sequence[StreamEvents]) -> list[StreamEvents]:
    """``encoded`` contracts validated back into their instances, in the process that appends
    them: the same contracts (tests/unit/test_payment_matching.py)."""

    def of(items: list[tuple[str, bytes]]) -> list[EventContract]:
        return [contract_for(kind).model_validate_json(raw) for kind, raw in items]

    return [StreamEvents(s.household, s.version, of(s.public), of(s.private)) for s in streams]


def stream_appends(
    streams: Sequence[StreamEvents], topic: str, context: EventContext
) -> list[StreamAppend]:
    appends: list[StreamAppend] = []
    for s in streams:
        if s.public:
            appends.append(
                StreamAppend(
                    stream_id(s.household),
                    s.version,
                    s.public,
                    topic=topic,
                    partition_key=s.household,
                    context=context,
                )
            )
        if s.private:  # the four-eyes lifecycle (with its free-text reason) is never published
            appends.append(StreamAppend(private_stream_id(s.household), 0, s.private))
    return appends


def prepare_batch(
    uow: CollectionUnitPort, batch: Batch, context: EventContext | None = None
) -> PreparedBatch:
    streams, saved = stream_events(batch)
    # one context for the batch (frozen)
    appends = stream_appends(streams, uow.topic, context or EventContext())
    return PreparedBatch(appends, [uow.ledgers.prepare(saved)])


async def write_prepared(uow: CollectionUnitPort, prepared: PreparedBatch) -> None:
    await _append(uow, prepared.appends)
    await uow.ledgers.save_prepared(prepared.ledgers)


async def commit_batch(
    uow: CollectionUnitPort, batch: Batch, context: EventContext | None = None
) -> None:
    await write_prepared(uow, prepare_batch(uow, batch, context))


async def _append(uow: CollectionUnitPort, appends: list[StreamAppend]) -> None:
    """Private streams are rare (a change entered by hand): their version is read here."""
    fixed: list[StreamAppend] = []
    for item in appends:
        if item.topic is None:
            history = await uow.events.load(item.stream_id)
            version = history[-1].version if history else 0
            item = StreamAppend(item.stream_id, version, item.events)
        fixed.append(item)
    await uow.events.append_batch(fixed)
