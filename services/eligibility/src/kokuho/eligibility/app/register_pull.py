"""Reading the resident register's feed (ADR 0015): ``pull_feed`` reads it after the last
sequence taken in, each change taken in by ``register_intake.take_in``; ``run_feed`` reads it
every interval inside ``serve``; ``record_pull`` audits a pull asked for through the API (C-45)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Units
from kokuho.eligibility.app.register_feed import parse_change
from kokuho.eligibility.app.register_intake import ChangeIdTaken, IntakeParameters, take_in
from kokuho.platform.errors import DomainError

log = logging.getLogger(__name__)

#: Reads one page of the feed after a sequence: a list of raw changes (JSON objects).
FeedReader = Callable[[int, int], Awaitable[list[dict[str, Any]]]]


class FeedUnavailable(DomainError):
    """The register did not answer as documented (the job logs it and tries again later)."""

    status = 503
    slug = "counterpart-unavailable"


@dataclass(frozen=True)
class PullResult:
    read: int
    counts: dict[str, int]
    last_sequence: int
    stopped_at: int | None = None
    reason: str | None = None
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisterIntake:
    """The intake as the composition root set it up: its parameters, the feed's name, and
    the feed's reader (None: no feed configured; files only)."""

    parameters: IntakeParameters
    feed: str = "resident-register"
    reader: FeedReader | None = None


async def pull_feed(
    units: Units,
    ports: Eligibility,
    parameters: IntakeParameters,
    feed: str,
    read: FeedReader,
) -> PullResult:
    """Read the feed after the last sequence taken in, each change in a transaction of its own
    with the new position (a crash re-reads at most the change it was taking in, which its id
    makes a duplicate). A change the format refuses stops the pull there, loudly: the register
    must correct it; nothing after it is skipped silently."""
    async with units() as uow:
        after = await uow.register.last_sequence(feed)
    counts: Counter[str] = Counter()
    total = 0
    subjects: list[str] = []
    while True:
        page = await read(after, parameters.page_size)
        if not page:
            return PullResult(total, dict(counts), after, subjects=tuple(subjects))
        for raw in page:
            sequence = raw.get("sequence") if isinstance(raw, dict) else None
            try:
                change = parse_change(raw)
                if change.sequence is None or change.sequence <= after:
                    raise ValueError("sequence missing or not after the last one read")
            except ValueError as refused:
                log.error(
                    "resident register change refused; the feed stops here",
                    extra={"feed": feed, "sequence": sequence, "reason": str(refused)},
                )
                return PullResult(
                    total, dict(counts), after, after + 1, str(refused), tuple(subjects)
                )
            uow = units()
            async with uow:
                outcome: str
                try:
                    taken = await take_in(uow, ports, parameters, change, feed)
                    outcome = taken.outcome
                except ChangeIdTaken as refused:
                    log.error("resident register change refused", extra={"reason": str(refused)})
                    outcome = "refused"
                await uow.register.advance(feed, change.sequence)
            counts[outcome] += 1
            total += 1
            subjects.append(change.addressee_number)
            after = change.sequence


async def record_pull(uow: EligibilityUnitPort, feed: str, result: PullResult) -> PullResult:
    """The audit record of a pull asked for through the API (whose data it touched)."""
    async with uow:
        await uow.audit.record(
            subjects=sorted(set(result.subjects)), detail={"job": "resident-register", "feed": feed}
        )
        return result


async def run_feed(
    units: Units, ports: Eligibility, intake: RegisterIntake, interval: float, stop: asyncio.Event
) -> None:
    """Inside ``serve``: read the feed every ``interval`` seconds until stopped. A failed read
    (the register unreachable) is logged and tried again at the next interval."""
    assert intake.reader is not None
    while not stop.is_set():
        try:
            result = await pull_feed(units, ports, intake.parameters, intake.feed, intake.reader)
            if result.read or result.stopped_at:
                log.info(
                    "resident register read",
                    extra={"read": result.read, "last_sequence": result.last_sequence},
                )
        except Exception:
            log.exception("resident register read failed; trying again at the next interval")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
