"""Use cases on cases: each enters the unit of work itself, loads, decides, appends, records
its audit (C-45) and returns what the route answers."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.domain.case import Case, CaseOpened, Event, OpenCase, decide, replay
from kokuho.delinquency.domain.errors import CaseNotFound
from kokuho.events.contracts import delinquency as contracts
from kokuho.events.contracts.registry import parse_data
from kokuho.events.ports import RecordedEvent, StreamAppend


def stream_id(case_id: UUID) -> str:
    return f"case-{case_id}"


def to_contract(event: Event) -> contracts.CaseOpened:
    return contracts.CaseOpened(
        case_id=event.case_id,
        addressee_number=event.addressee_number,
        opened_on=event.opened_on,
        opened_by=event.opened_by,
    )


def from_recorded(recorded: RecordedEvent) -> Event:
    data = parse_data(recorded.event_type, recorded.envelope.data)
    if not isinstance(data, contracts.CaseOpened):
        raise TypeError(f"{recorded.event_type} is not an event of a case")
    return CaseOpened(data.case_id, data.addressee_number, data.opened_on, data.opened_by)


def _version(history: Sequence[RecordedEvent]) -> int:
    return history[-1].version if history else 0


async def open_case(uow: DelinquencyUnitPort, command: OpenCase) -> Case:
    async with uow:
        stream = stream_id(command.case_id)
        history = await uow.events.load(stream)
        state = replay([from_recorded(r) for r in history])
        events = decide(state, command)
        await uow.events.append_batch(
            [
                StreamAppend(
                    stream,
                    _version(history),
                    [to_contract(e) for e in events],
                    topic=uow.topic,
                    partition_key=command.addressee_number,
                )
            ]
        )
        case = replay(events, state)
        assert case is not None
        await uow.cases.add(case)
        await uow.audit.record(
            subjects=[case.addressee_number], detail={"case_id": str(case.case_id)}
        )
        return case


async def read_case(uow: DelinquencyUnitPort, case_id: UUID) -> Case:
    async with uow:
        case = await uow.cases.get(case_id)
        if case is None:
            raise CaseNotFound(f"case {case_id} does not exist")
        await uow.audit.record(subjects=[case.addressee_number], detail={"case_id": str(case_id)})
        return case
