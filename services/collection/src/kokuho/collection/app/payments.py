"""Payments: the bank and convenience-store payment file, each line matched to the household's
charges (消込) and published as ``PaymentReceived`` (counter payments and reversals:
``counter_payments``).

A file is applied in one transaction: all lines or none (a refused line refuses the file
unless the operator applies the valid part), the same file again changes nothing (its SHA-256
names the import), a reference seen before goes to the work list as a duplicate, a notice
number whose household has no charges goes to the work list unmatched, and what a payment
leaves over is held as an overpayment and put on the work list. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, TypeVar

from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ledgers import (
    Batch,
    PreparedBatch,
    StreamEvents,
    stream_appends,
    stream_events,
    validated,
    write_prepared,
)
from kokuho.collection.app.line_matching import by_household, match_file
from kokuho.collection.app.ports import (
    CollectionUnitPort,
    ImportRecord,
    LedgerCodec,
    PreparedLedgers,
    Versioned,
    WorkItem,
)
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.collection.domain.payment_file import (
    PaymentLine,
    RefusedLine,
    parse_payment_file,
)
from kokuho.events.individual_numbers import contains_individual_number
from kokuho.events.ports import EventContext
from kokuho.platform.collector import collector_paused

_T = TypeVar("_T")


class PaymentFileRefused(Exception):
    """Lines were refused and the operator did not ask to apply the valid part."""

    def __init__(self, refused: Sequence[RefusedLine], lines: int) -> None:
        super().__init__(f"{len(refused)} of {lines} lines refused; nothing applied")
        self.refused = list(refused)
        self.lines = lines


@dataclass(frozen=True)
class ImportPayments:
    file_name: str
    text: str
    apply_valid_part: bool
    actor: str
    today: date


@dataclass(frozen=True)
class ImportOutcome:
    record: ImportRecord
    replayed: bool


def _refuse_numbers(valid: list[PaymentLine], refused: list[RefusedLine]) -> list[PaymentLine]:
    kept = []
    for line in valid:
        if contains_individual_number(line.reference):
            refused.append(RefusedLine(line.line, "reference", "an individual number is refused"))
        else:
            kept.append(line)
    return kept


#: Households matched as one batch (a part of a slab): their events appended in the order of
#: their first line, as line by line would (ADR 0104).
PART_HOUSEHOLDS = 50
#: Households read, matched and written together (ADR 0109, 0116): a slab is matched by the
#: matching worker while the one before it is written, and the one after it read.
LOAD_HOUSEHOLDS = 2000
#: Slabs read and handed to the matching worker ahead of the one being written: it matches
#: the next while the writing process waits for PostgreSQL and validates what it handed back.
SLABS_AHEAD = 3


@dataclass(frozen=True)
class Slab:
    """A slab of the file's households with their lines, as the matching worker gets it (in a
    worker process: everything here pickles)."""

    stored: Any  # the ledgers as the store read them (``Ledgers.load_stored``)
    #: each household's lines in file order, the households in the file's order
    lines: dict[str, list[PaymentLine]]
    codec: LedgerCodec
    rules: CollectionRules
    today: date
    import_id: str
    encode: bool  # hand the contracts back as JSON (a worker process)


@dataclass(frozen=True)
class MatchedSlab:
    items: list[WorkItem]
    changed: list[str]
    streams: list[StreamEvents]
    ledgers: PreparedLedgers


def match_slab(slab: Slab) -> MatchedSlab:
    """A slab matched ``PART_HOUSEHOLDS`` households at a time (each part as ``match_file``
    matches it), the events as contracts and the ledgers' rows built: everything of the
    payment file's work that needs no database (ADR 0116)."""
    loaded = slab.codec.decode(slab.stored)
    before = {h: v.ledger for h, v in loaded.items()}
    items: list[WorkItem] = []
    changed: list[str] = []
    streams: list[StreamEvents] = []
    saved: list[Versioned] = []
    households = list(slab.lines)
    for start in range(0, len(households), PART_HOUSEHOLDS):
        part = households[start : start + PART_HOUSEHOLDS]
        batch = Batch({h: loaded[h] for h in part if h in loaded})
        part_lines = [line for h in part for line in slab.lines[h]]
        items += match_file(batch, part_lines, slab.rules, slab.today, slab.import_id)
        changed += batch.changed
        found, ledgers = stream_events(batch, slab.encode)
        streams += found
        saved += ledgers
    return MatchedSlab(items, changed, streams, slab.codec.prepare(before, saved))


class _InOrder:
    """The transaction's statements on its one connection, one after the other: each started
    as a task that first waits for the one before (and fails with it), so reads and writes
    queue while the slabs are matched."""

    def __init__(self) -> None:
        self.started: list[asyncio.Future[Any]] = []

    def then(self, work: Callable[[], Awaitable[_T]]) -> asyncio.Future[_T]:
        previous = self.started[-1] if self.started else None

        async def run() -> _T:
            if previous is not None:
                await previous
            return await work()

        future = asyncio.ensure_future(run())
        self.started.append(future)
        return future

    async def settle(self) -> None:
        """Wait for every statement started (the connection free for a rollback)."""
        await asyncio.gather(*self.started, return_exceptions=True)


async def _match_and_write(
    uow: CollectionUnitPort,
    lines: Sequence[PaymentLine],
    rules: CollectionRules,
    today: date,
    import_id: str,
    matcher: Executor,
) -> tuple[list[WorkItem], set[str]]:
    """Read the ledgers ``LOAD_HOUSEHOLDS`` households at a time, have ``matcher`` match each
    slab (``match_slab``), and write the slabs in order in the caller's transaction while the
    next are read and matched. The work items in line order, the households changed. A
    household's events are appended in file order; across households, in the order of the
    parts (the file's, by each household's first line)."""
    groups = by_household(lines)
    households = list(groups)
    slabs = [
        households[i : i + LOAD_HOUSEHOLDS] for i in range(0, len(households), LOAD_HOUSEHOLDS)
    ]
    loop = asyncio.get_running_loop()
    encode = isinstance(matcher, ProcessPoolExecutor)
    db = _InOrder()

    async def matched(slab: list[str], read: asyncio.Future[Any]) -> MatchedSlab:
        lines_of = {h: groups[h] for h in slab}
        # shielded: a read cancelled on the connection would strand the writes queued behind it
        stored = await asyncio.shield(read)
        task = Slab(stored, lines_of, uow.ledgers.codec, rules, today, import_id, encode)
        return await loop.run_in_executor(matcher, match_slab, task)

    def start(slab: list[str]) -> asyncio.Future[MatchedSlab]:
        read = db.then(partial(uow.ledgers.load_stored, sorted(slab)))
        return asyncio.ensure_future(matched(slab, read))

    items: list[WorkItem] = []
    changed: set[str] = set()
    matching = [start(slab) for slab in slabs[:SLABS_AHEAD]]
    writing: asyncio.Future[None] | None = None
    try:
        for n in range(len(slabs)):
            if n + SLABS_AHEAD < len(slabs):  # read behind the writes queued so far
                matching.append(start(slabs[n + SLABS_AHEAD]))
            slab = await matching[n]
            items += slab.items
            changed.update(slab.changed)
            streams = validated(slab.streams) if encode else slab.streams
            prepared = PreparedBatch(
                stream_appends(streams, uow.topic, EventContext()), [slab.ledgers]
            )
            if writing is not None and writing.done():
                writing.result()  # a failed write stops the file
            writing = db.then(partial(write_prepared, uow, prepared))
        if db.started:
            await db.started[-1]  # fails if any statement before it failed
    finally:  # a failure leaves the connection free for the rollback
        # the slabs handed out are let finish, not cancelled: a future cancelled while a
        # broken pool fails it raises in the pool's thread (CPython gh-107219, before 3.12)
        await asyncio.gather(*matching, return_exceptions=True)
        await db.settle()
    items.sort(key=lambda item: item.line or 0)
    return items, changed


async def import_payments(
    uow: CollectionUnitPort,
    rules: CollectionRules,
    command: ImportPayments,
    matcher: Callable[[], Executor] | None = None,
) -> ImportOutcome:
    """``matcher`` makes the executor the slabs are matched in (worker processes, ADR 0116);
    without it, or for a file of one slab, one thread."""
    # A file of one slab is matched before its one write whatever the executor: no process is
    # started for it (its households are at most its lines).
    several_slabs = command.text.count("\n") > LOAD_HOUSEHOLDS
    executor = matcher() if matcher is not None and several_slabs else ThreadPoolExecutor(1)
    try:
        # Paused until the import's objects are dropped (its locals with ``_import``'s frame,
        # the ledgers the unit of work kept with its transaction): resumed while they lived,
        # the collector's first pass walked the millions of them (0.8 s of 11 s CPU at 60,000
        # lines).
        with collector_paused():
            return await _import(uow, rules, command, executor)
    finally:
        await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)


async def _import(
    uow: CollectionUnitPort, rules: CollectionRules, command: ImportPayments, matcher: Executor
) -> ImportOutcome:
    sha256 = hashlib.sha256(command.text.encode("utf-8")).hexdigest()
    async with uow:
        existing = await uow.imports.find(sha256)
        if existing is not None:
            await uow.audit.record(
                subjects=[], detail={"import_id": existing.import_id, "replayed": True}
            )
            return ImportOutcome(existing, replayed=True)
        parsed = parse_payment_file(command.text, command.today)
        refused = list(parsed.refused)
        valid = _refuse_numbers(parsed.valid, refused)
        refused.sort(key=lambda r: r.line)
        if refused and not command.apply_valid_part:
            raise PaymentFileRefused(refused, parsed.lines)
        import_id = new_id("import", sha256)
        items, changed = await _match_and_write(
            uow, valid, rules, command.today, import_id, matcher
        )
        await uow.work_items.add_many(items)
        record = ImportRecord(
            import_id,
            sha256,
            command.file_name,
            parsed.lines,
            len(valid) - sum(1 for i in items if i.kind in ("unmatched", "duplicate")),
            len(refused),
            len(items),
            bool(refused),
            command.actor,
            command.today,
            [{"line": r.line, "field": r.field, "reason": r.reason} for r in refused],
        )
        await uow.imports.add(record)
        await uow.audit.record(
            subjects=sorted(changed),
            detail={"import_id": import_id, "lines": parsed.lines, "refused": len(refused)},
        )
        return ImportOutcome(record, replayed=False)
