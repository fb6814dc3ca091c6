"""Use cases on a household's case: each enters the unit of work itself, loads the stream,
decides, appends (public events to the topic, the rest private), updates the view and records
its audit (C-45) with the household number."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from kokuho.delinquency.app.codec import encode
from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.app.translate import from_recorded, is_public, to_contract
from kokuho.delinquency.domain.decide import decide
from kokuho.delinquency.domain.errors import CaseNotFound
from kokuho.delinquency.domain.evolve import replay
from kokuho.delinquency.domain.model import Case
from kokuho.events.ports import EventContext, RecordedEvent, StreamAppend


def stream_id(household: str) -> str:
    return f"case-{household}"


def _version(history: Sequence[RecordedEvent]) -> int:
    return history[-1].version if history else 0


async def load(uow: DelinquencyUnitPort, household: str) -> tuple[Case, int]:
    history = await uow.events.load(stream_id(household))
    return replay(household, [from_recorded(r) for r in history]), _version(history)


async def apply(
    uow: DelinquencyUnitPort,
    household: str,
    command: object,
    context: EventContext | None = None,
) -> tuple[Case, list[Any]]:
    """Decide and store inside an entered unit of work (no audit: the caller records it)."""
    case, version = await load(uow, household)
    events = decide(case, command)
    if not events:
        return case, []
    at = version
    for public, group in groupby(events, key=is_public):  # one stream, in order
        contracts = [to_contract(e, household) for e in group]
        await uow.events.append_batch(
            [
                StreamAppend(
                    stream_id(household),
                    at,
                    contracts,
                    topic=uow.topic if public else None,
                    partition_key=household,
                    context=context or EventContext(),
                )
            ]
        )
        at += len(contracts)
    case = replay(household, events, case)
    await uow.cases.put(case)
    return case, events


async def execute(
    uow: DelinquencyUnitPort, household: str, command: object, *, require_case: bool = True
) -> Case:
    """One command on one household's case, audited."""
    async with uow:
        if require_case and await uow.cases.get(household) is None:
            raise CaseNotFound(f"no case for household {household}")
        case, events = await apply(uow, household, command)
        await uow.audit.record(
            subjects=[household],
            detail={
                "command": type(command).__name__,
                "events": [type(e).__name__ for e in events],
            },
        )
        return case


async def read_case(uow: DelinquencyUnitPort, household: str) -> Case:
    async with uow:
        case = await uow.cases.get(household)
        if case is None:
            raise CaseNotFound(f"no case for household {household}")
        await uow.audit.record(subjects=[household], detail={"read": "case"})
        return case


async def history(uow: DelinquencyUnitPort, household: str) -> list[dict[str, Any]]:
    """The case's events (negotiation records, promises, plans, reliefs, seizures ...)."""
    async with uow:
        recorded = await uow.events.load(stream_id(household))
        if not recorded:
            raise CaseNotFound(f"no case for household {household}")
        await uow.audit.record(subjects=[household], detail={"read": "history"})
        return [
            {"version": r.version, "kind": type(e).__name__, "data": encode(e)}
            for r in recorded
            for e in [from_recorded(r)]
        ]


async def list_cases(
    uow: DelinquencyUnitPort,
    *,
    status: str | None,
    stage: str | None,
    officer: str | None,
    after: str | None,
    limit: int,
) -> list[Case]:
    async with uow:
        cases = await uow.cases.page(
            status=status, stage=stage, officer=officer, after=after, limit=limit
        )
        await uow.audit.record(subjects=[c.household for c in cases], detail={"read": "cases"})
        return cases
