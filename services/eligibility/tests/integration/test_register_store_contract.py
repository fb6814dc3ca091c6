"""One contract for the resident-register intake's store (``uow.register``): the in-memory
twin and PostgreSQL pass the same tests, and so do the use cases on both units (a death
becomes a pending change once, a duplicate changes nothing, the lists page and close)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import asyncpg
import pytest

from kokuho.eligibility.adapters.memory import InMemoryEligibilityUnit
from kokuho.eligibility.adapters.unit_of_work import EligibilityUnit
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.changes import ConfirmChange, EnterChange, confirm_change, enter_change
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Topics
from kokuho.eligibility.app.register_feed import FeedChange
from kokuho.eligibility.app.register_intake import take_in
from kokuho.eligibility.app.register_ports import IntakeRecord, Item
from kokuho.eligibility.parameters import load_rules
from kokuho.eligibility.parameters.register import load_intake_parameters

from ..builders import addressee

pytestmark = pytest.mark.integration

SUFFIX = uuid.uuid4().hex[:8]
TOPICS = Topics(f"contract.register.events.{SUFFIX}", f"contract.register.pd.{SUFFIX}")
PORTS = Eligibility(load_rules(), clock=lambda: datetime(2026, 12, 6, 1, 0, tzinfo=UTC))
PARAMETERS = load_intake_parameters()
BACKENDS = ["memory", "postgres"]


@asynccontextmanager
async def opened(kind: str, dsn: str) -> AsyncIterator[EligibilityUnitPort]:
    if kind == "memory":
        yield InMemoryEligibilityUnit(TOPICS)
        return
    conn = await asyncpg.connect(dsn)
    transaction = conn.transaction()
    await transaction.start()
    try:
        yield EligibilityUnit(conn=conn, topics=TOPICS)
    finally:
        await transaction.rollback()
        await conn.close()


def record(change_id: str, who: str, outcome: str = "review") -> IntakeRecord:
    return IntakeRecord(
        change_id,
        "d" * 64,
        "feed",
        "death",
        who,
        date(2026, 12, 1),
        date(2026, 12, 2),
        outcome,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("kind", BACKENDS)
async def test_the_store(kind: str, eligibility_dsn: str) -> None:
    a, b = addressee(), addressee()
    tag = uuid.uuid4().hex[:8]
    async with opened(kind, eligibility_dsn) as uow, uow:
        store = uow.register
        assert await store.digest_of(f"{tag}-1") is None
        first = Item(uuid.uuid4(), "review", None, reason_code="unknown-person", reason="x")
        await store.take(record(f"{tag}-1", a), first)
        await store.take(record(f"{tag}-2", b, "already-so"), None)
        work = Item(uuid.uuid4(), "work", "2000000001", due_date=date(2026, 12, 15))
        await store.take(record(f"{tag}-3", b, "work-item"), work)
        assert await store.digest_of(f"{tag}-1") == "d" * 64
        intake = await store.intake(f"{tag}-2")
        assert intake is not None
        assert (intake["outcome"], intake["change_id"], intake["change_status"]) == (
            "already-so",
            None,
            None,
        )
        reviews = await store.items("review", True, 200, None)
        mine = [r for r in reviews if r["register_change_id"].startswith(tag)]
        assert [(r["addressee_number"], r["reason_code"], r["status"]) for r in mine] == [
            (a, "unknown-person", "open")
        ]
        works = [
            r for r in await store.items("work", True, 200, None) if r["item_id"] == work.item_id
        ]
        assert works[0]["due_date"] == date(2026, 12, 15)
        after = works[0]["position"]
        later = [
            r for r in await store.items("work", True, 200, after) if r["item_id"] == work.item_id
        ]
        assert later == []
        await store.close(first.item_id, "no_action", "clerk-c", datetime(2026, 12, 6, tzinfo=UTC))
        closed = await store.item(first.item_id)
        assert closed is not None
        assert (closed["status"], closed["resolution"], closed["closed_by"]) == (
            "closed",
            "no_action",
            "clerk-c",
        )
        assert first.item_id not in {
            r["item_id"] for r in await store.items("review", True, 200, None)
        }
        assert first.item_id in {
            r["item_id"] for r in await store.items("review", False, 200, None)
        }
        feed = f"feed-{tag}"
        assert await store.last_sequence(feed) == 0
        await store.advance(feed, 7)
        await store.advance(feed, 5)  # never backwards
        assert await store.last_sequence(feed) == 7
        assert await store.pending_change(a, "death") is None


def death(who: str, change_id: str) -> FeedChange:
    return FeedChange.model_validate(
        {
            "change_id": change_id,
            "kind": "death",
            "addressee_number": who,
            "fact_date": "2026-12-01",
            "notified_date": "2026-12-02",
        }
    )


@pytest.mark.parametrize("kind", BACKENDS)
async def test_the_use_cases_on_both_units(kind: str, eligibility_dsn: str) -> None:
    head = addressee()
    tag = uuid.uuid4().hex[:8]
    async with opened(kind, eligibility_dsn) as uow:
        member = rq.MemberIn(
            addressee_number=head,
            reason="moved_in",
            fact_date=date(2026, 4, 1),
            notification_date=date(2026, 4, 1),
            relationship="householder",
            details=rq.PersonalDetails(
                name="架空　一郎",
                name_kana="カクウ　イチロウ",
                sex="male",
                birth_date=date(1970, 1, 1),
                address="広島市中区架空町1-1",
            ),
        )
        body = rq.RegisterHouseholdIn(
            householder_addressee_number=head,
            members=[member],
            identity_verification=rq.IdentityVerification(method="mn_card"),
        )
        entered = await enter_change(uow, PORTS, EnterChange("register_household", body, "clerk-a"))
        await confirm_change(uow, PORTS, ConfirmChange(entered.change_id, "clerk-b"))

        taken = await take_in(uow, PORTS, PARAMETERS, death(head, f"{tag}-D"), "feed")
        assert taken.outcome == "pending-change"
        again = await take_in(uow, PORTS, PARAMETERS, death(head, f"{tag}-D"), "feed")
        assert again.outcome == "duplicate"
        other = await take_in(uow, PORTS, PARAMETERS, death(head, f"{tag}-E"), "feed")
        assert other.outcome == "review"  # the first one still waits for a clerk
        async with uow:
            assert await uow.register.pending_change(head, "death") == taken.change_id
            intake = await uow.register.intake(f"{tag}-D")
        assert intake is not None
        assert intake["change_status"] == "pending"
        assert taken.change_id is not None
        await confirm_change(uow, PORTS, ConfirmChange(taken.change_id, "clerk-a"))
        async with uow:
            intake = await uow.register.intake(f"{tag}-D")
            assert await uow.register.pending_change(head, "death") is None
        assert intake is not None
        assert intake["change_status"] == "confirmed"
