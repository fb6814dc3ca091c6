"""The use cases with the in-memory unit of work: no database, no HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from kokuho.collection.adapters.memory import InMemoryCollectionUnit
from kokuho.collection.app.cases import open_case, read_case, stream_id
from kokuho.collection.domain.case import OpenCase
from kokuho.collection.domain.errors import (
    CaseAlreadyOpened,
    CaseNotFound,
    CaseOpenedInTheFuture,
)
from kokuho.events.contracts import collection as contracts
from kokuho.platform.unit_of_work import RecordingAudit

TODAY = date(2026, 12, 1)


def command(day: date = TODAY) -> OpenCase:
    return OpenCase(uuid4(), "9910000001", day, "U-CLERK", TODAY)


def audit_of(uow: InMemoryCollectionUnit) -> RecordingAudit:
    assert isinstance(uow.audit, RecordingAudit)
    return uow.audit


async def test_opening_a_case_appends_its_event_stores_it_and_audits_it() -> None:
    uow = InMemoryCollectionUnit(topic="test.topic")
    cmd = command()
    case = await open_case(uow, cmd)
    assert case.case_id == cmd.case_id
    assert await uow.cases.get(cmd.case_id) == case
    [recorded] = await uow.events.load(stream_id(cmd.case_id))
    assert recorded.event_type == contracts.CaseOpened.event_type
    assert recorded.version == 1
    [message] = uow.events.outbox
    assert (message.topic, message.key) == ("test.topic", "9910000001")
    assert audit_of(uow).records[0]["subjects"] == ["9910000001"]
    assert (uow.commits, uow.rollbacks) == (1, 0)


async def test_a_refused_command_changes_nothing() -> None:
    uow = InMemoryCollectionUnit()
    with pytest.raises(CaseOpenedInTheFuture):
        await open_case(uow, command(TODAY + timedelta(days=1)))
    assert uow.cases.rows == {}
    assert uow.events.outbox == []
    assert audit_of(uow).records == []
    assert (uow.commits, uow.rollbacks) == (0, 1)


async def test_the_same_case_is_not_opened_twice() -> None:
    uow = InMemoryCollectionUnit()
    cmd = command()
    await open_case(uow, cmd)
    with pytest.raises(CaseAlreadyOpened):
        await open_case(uow, cmd)
    assert len(await uow.events.load(stream_id(cmd.case_id))) == 1


async def test_reading_a_case_is_audited_and_an_unknown_one_is_not_found() -> None:
    uow = InMemoryCollectionUnit()
    cmd = command()
    await open_case(uow, cmd)
    assert (await read_case(uow, cmd.case_id)).addressee_number == "9910000001"
    assert len(audit_of(uow).records) == 2
    with pytest.raises(CaseNotFound):
        await read_case(uow, uuid4())
