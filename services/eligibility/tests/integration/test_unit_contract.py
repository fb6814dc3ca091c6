"""One contract for the eligibility unit of work: the in-memory twin (``adapters/memory.py``)
and the PostgreSQL unit (``adapters/unit_of_work.py``) pass the same tests, so the use cases'
unit tests on the twin say something about production.

The PostgreSQL unit joins a transaction that is rolled back after each test, and publishes to
topics of the test's own (nothing reaches a relay or Kafka)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
import pytest

from kokuho.eligibility.adapters.memory import InMemoryEligibilityUnit
from kokuho.eligibility.adapters.unit_of_work import EligibilityUnit
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.changes import ConfirmChange, EnterChange, confirm_change, enter_change
from kokuho.eligibility.app.errors import ConcurrentChange
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Topics
from kokuho.eligibility.app.streams import load, load_household
from kokuho.eligibility.parameters import load_rules
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.events.ports import ConcurrencyConflict, StreamAppend

from ..builders import addressee

pytestmark = pytest.mark.integration

SUFFIX = uuid.uuid4().hex[:8]
TOPICS = Topics(f"contract.eligibility.events.{SUFFIX}", f"contract.eligibility.pd.{SUFFIX}")
PORTS = Eligibility(load_rules(), clock=lambda: datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
ID = rq.IdentityVerification(method="mn_card")

Outbox = list[tuple[str, str, bytes | None]]


@dataclass
class Backend:
    unit: EligibilityUnitPort
    outbox: Callable[[], Awaitable[Outbox]]


@asynccontextmanager
async def opened(kind: str, dsn: str) -> AsyncIterator[Backend]:
    """A backend: the in-memory twin, or the PostgreSQL unit on a transaction rolled back at
    the end."""
    if kind == "memory":
        twin = InMemoryEligibilityUnit(TOPICS)

        async def memory_outbox() -> Outbox:
            return [(m.topic, m.key, m.value) for m in twin.events.outbox]

        yield Backend(twin, memory_outbox)
        return
    conn = await asyncpg.connect(dsn)
    transaction = conn.transaction()
    await transaction.start()

    async def postgres_outbox() -> Outbox:
        rows = await conn.fetch(
            "SELECT o.topic, o.key, coalesce(o.value, convert_to(e.envelope::text, 'UTF8'))"
            " AS value FROM outbox o LEFT JOIN events e"
            " ON e.event_id = o.event_id AND o.value IS NULL"
            " WHERE o.topic = ANY($1::text[]) ORDER BY o.position",
            [TOPICS.events, TOPICS.personal_details],
        )
        return [(r["topic"], r["key"], r["value"]) for r in rows]

    try:
        yield Backend(EligibilityUnit(conn=conn, topics=TOPICS), postgres_outbox)
    finally:
        await transaction.rollback()
        await conn.close()


@pytest.fixture(params=["memory", "postgres"])
async def backend(request: pytest.FixtureRequest, eligibility_dsn: str) -> AsyncIterator[Backend]:
    async with opened(request.param, eligibility_dsn) as opened_backend:
        yield opened_backend


def details(number: str, birth: date, name: str = "契約　試験") -> PersonalDetailsRecorded:
    return PersonalDetailsRecorded(
        addressee_number=number,
        nhi_household_number=None,
        name=name,
        name_kana="ケイヤク　シケン",
        sex="female",
        birth_date=birth,
        postal_code="730-0011",
        address="広島市中区架空町3-3",
        phone=None,
        as_of=date(2026, 11, 1),
    )


def member(number: str, birth: date, relationship: str = "householder") -> rq.MemberIn:
    return rq.MemberIn(
        addressee_number=number,
        reason="moved_in",
        fact_date=date(2026, 11, 1),
        notification_date=date(2026, 11, 5),
        relationship=relationship,  # type: ignore[arg-type]
        details=rq.PersonalDetails(
            name="契約　花子",
            name_kana="ケイヤク　ハナコ",
            sex="female",
            birth_date=birth,
            address="広島市中区架空町3-3",
        ),
    )


async def registered(uow: EligibilityUnitPort, *members: rq.MemberIn) -> str:
    body = rq.RegisterHouseholdIn(
        householder_addressee_number=members[0].addressee_number,
        members=list(members),
        identity_verification=ID,
    )
    entered = await enter_change(uow, PORTS, EnterChange("register_household", body, "clerk-a"))
    await confirm_change(uow, PORTS, ConfirmChange(entered.change_id, "clerk-b"))
    return entered.nhi_household_number


async def test_numbers_have_their_formats_and_never_repeat(backend: Backend) -> None:
    async with backend.unit as uow:
        households = [await uow.numbers.next_household_number() for _ in range(3)]
        insured = [await uow.numbers.next_insured_number() for _ in range(3)]
    assert all(len(n) == 10 and n.isdigit() for n in households)
    assert all(len(n) == 8 and n.isdigit() for n in insured)
    assert households == sorted(set(households))
    assert insured == sorted(set(insured))


async def test_payloads_are_kept_forgotten_and_erased_by_subject(backend: Backend) -> None:
    one, other = addressee(), addressee()
    async with backend.unit as uow:
        first = await uow.payloads.put(one, "change-request", {"name": "契約"})
        second = await uow.payloads.put(one, "change-rejection", {"reason": "x"})
        kept = await uow.payloads.put(other, "change-request", {"name": "別"})
        assert await uow.payloads.get(first) == {"name": "契約"}
        await uow.payloads.forget(first, "change confirmed")
        assert await uow.payloads.get(first) is None
        assert await uow.payloads.erase_subject(one, "retention") == 1
        assert await uow.payloads.get(second) is None
        assert await uow.payloads.get(kept) == {"name": "別"}
        assert await uow.payloads.get(uuid.uuid4()) is None


async def test_personal_details_go_to_the_compacted_topic_and_erasure_leaves_a_tombstone(
    backend: Backend,
) -> None:
    number = addressee()
    async with backend.unit as uow:
        assert await uow.persons.details(number) is None
        await uow.persons.record(details(number, date(1990, 4, 1)))
        await uow.persons.record(details(number, date(1990, 4, 1), name="契約　改名"))
        stored = await uow.persons.details(number)
        assert stored is not None
        assert stored.name == "契約　改名"
        assert await uow.persons.erase(number, "retention") is True
        assert await uow.persons.details(number) is None
        assert await uow.persons.erase(number, "retention") is False
    messages = await backend.outbox()
    assert {topic for topic, _, _ in messages} == {TOPICS.personal_details}
    assert {key for _, key, _ in messages} == {number}
    values = [value for _, _, value in messages]
    assert values[-2:] == [None, None]  # a tombstone per erasure
    first = values[0]
    assert first is not None
    assert json.loads(first)["data"]["name"] == "契約　試験"


async def test_a_registered_household_is_in_the_store_the_topic_and_the_read_models(
    backend: Backend,
) -> None:
    head, child = addressee(), addressee()
    async with backend.unit as uow:
        number = await registered(
            uow, member(head, date(1980, 1, 1)), member(child, date(2015, 3, 3), "child")
        )
        loaded = await load_household(uow, number)
        assert loaded.state.registered
        assert set(loaded.state.members) == {head, child}
        assert await uow.qualifications.active_household_of(head) == number
        assert await uow.qualifications.summary(child) == (True, None)
        assert await uow.qualifications.latest_period(head) == (number, "moved_in", None)
        assert await uow.qualifications.latest_period(addressee()) is None
        assert await uow.persons.details(head) is not None
    messages = await backend.outbox()
    assert {key for topic, key, _ in messages if topic == TOPICS.events} == {number}
    assert {key for topic, key, _ in messages if topic == TOPICS.personal_details} == {head, child}


async def test_a_loss_closes_the_period(backend: Backend) -> None:
    head, child = addressee(), addressee()
    async with backend.unit as uow:
        number = await registered(
            uow, member(head, date(1980, 1, 1)), member(child, date(2015, 3, 3), "child")
        )
        loss = rq.LossIn(
            addressee_number=child,
            reason="moved_out",
            fact_date=date(2026, 11, 20),
            notification_date=date(2026, 11, 21),
            identity_verification=ID,
        )
        entered = await enter_change(uow, PORTS, EnterChange("lose", loss, "clerk-a", number))
        await confirm_change(uow, PORTS, ConfirmChange(entered.change_id, "clerk-b"))
        insured, last_loss = await uow.qualifications.summary(child)
        assert not insured
        assert last_loss == date(2026, 11, 21)  # the day after moving out
        assert await uow.qualifications.active_household_of(child) is None
        assert await uow.qualifications.latest_period(child) == (number, "moved_in", "moved_out")


async def test_job_candidates_by_birthday(backend: Backend) -> None:
    due, not_yet, seventy = addressee(), addressee(), addressee()
    async with backend.unit as uow:
        number = await registered(
            uow,
            member(due, date(1951, 11, 25)),
            member(not_yet, date(1951, 11, 27), "spouse"),
            member(seventy, date(1955, 6, 1), "parent"),
        )
        turning = await uow.qualifications.turning_75(date(2026, 11, 26))
        assert (due, number, date(1951, 11, 25)) in turning
        assert not {a for a, _, _ in turning} & {not_yet, seventy}
        later = {a for a, _, _ in await uow.qualifications.turning_75(date(2026, 11, 27))}
        assert {due, not_yet} <= later
        rates = await uow.qualifications.needing_copayment_rate(date(2026, 11, 26))
        assert {(seventy, number), (not_yet, number)} <= set(rates)  # 71 and 74
        assert due not in {a for a, _ in rates}  # 75 since yesterday


async def test_a_stale_append_is_a_concurrency_conflict(backend: Backend) -> None:
    head = addressee()
    async with backend.unit as uow:
        number = await registered(uow, member(head, date(1980, 1, 1)))
        stream = f"household-{number}"
        events = await load(uow, stream)
        with pytest.raises(ConcurrencyConflict):
            await uow.events.append_batch([StreamAppend(stream, 0, events[:1], None, number)])


async def test_seed_runs_are_recorded(backend: Backend) -> None:
    name = f"contract-{uuid.uuid4().hex[:8]}"
    async with backend.unit as uow:
        assert await uow.records.seeded(name, lock=True) is None
        await uow.records.record_seed(name, 7)
        assert await uow.records.seeded(name) == 7


async def test_a_second_open_period_is_refused_as_a_concurrent_change(backend: Backend) -> None:
    """The rules refuse a second qualification; one that slipped past them (two clerks'
    confirmations racing) is refused by the read model and reported as a 409."""
    head = addressee()
    async with backend.unit as uow:
        number = await registered(uow, member(head, date(1980, 1, 1)))
        acquired = [
            x
            for x in await load(uow, f"household-{number}")
            if isinstance(x, ce.QualificationAcquired)
        ]
        assert acquired
        with pytest.raises(ConcurrentChange):
            await uow.read_models.project(acquired)


async def test_one_pending_erasure_request_per_person_and_decisions_kept(
    backend: Backend,
) -> None:
    from kokuho.eligibility.domain import errors as e
    from kokuho.eligibility.domain.erasure import ErasureRequest

    number, other = addressee(), addressee()
    at = datetime(2031, 11, 11, 1, 0, tzinfo=UTC)
    first = ErasureRequest(str(uuid.uuid4()), number, "retention over", "sv-a", at)
    async with backend.unit as uow:
        assert await uow.erasures.pending(number) is None
        await uow.erasures.save(first)
        assert await uow.erasures.pending(number) == first
        assert await uow.erasures.pending(other) is None
        with pytest.raises(e.ErasureAlreadyRequested):
            await uow.erasures.save(ErasureRequest(str(uuid.uuid4()), number, "again", "sv-c", at))
        decided = ErasureRequest(
            first.request_id, number, first.reason, "sv-a", at, "confirmed", "sv-b", at
        )
        await uow.erasures.save(decided)
        assert await uow.erasures.pending(number) is None
        # a decided request is never decided again
        await uow.erasures.save(
            ErasureRequest(first.request_id, number, first.reason, "sv-a", at, "rejected", "x", at)
        )
        second = ErasureRequest(str(uuid.uuid4()), number, "next", "sv-b", at)
        await uow.erasures.save(second)  # a new request after a decided one
        assert await uow.erasures.pending(number) == second


async def test_the_household_a_person_heads_while_members_are_insured(backend: Backend) -> None:
    head, child = addressee(), addressee()
    async with backend.unit as uow:
        assert await uow.qualifications.headed_household(head) is None
    body = rq.RegisterHouseholdIn(
        householder_addressee_number=head,
        householder_details=rq.PersonalDetails(
            name="契約　擬制",
            name_kana="ケイヤク　ギセイ",
            sex="male",
            birth_date=date(1950, 1, 1),
            address="広島市中区架空町1-1",
        ),
        members=[
            rq.MemberIn(
                addressee_number=child,
                reason="moved_in",
                fact_date=date(2026, 11, 1),
                notification_date=date(2026, 11, 20),
                relationship="child",
                details=rq.PersonalDetails(
                    name="契約　子",
                    name_kana="ケイヤク　コ",
                    sex="female",
                    birth_date=date(1990, 1, 1),
                    address="広島市中区架空町1-1",
                ),
            )
        ],
        identity_verification=ID,
    )
    entered = await enter_change(
        backend.unit, PORTS, EnterChange("register_household", body, "clerk-a", None, None)
    )
    await confirm_change(backend.unit, PORTS, ConfirmChange(entered.change_id, "clerk-b"))
    async with backend.unit as uow:
        assert await uow.qualifications.headed_household(head) == entered.nhi_household_number
        assert await uow.qualifications.headed_household(child) is None
