"""Benefits' events in collection on the real PostgreSQL and Kafka (ADR 0085): a
``RepaymentClaimed`` becomes a 返納金 charge once; a ``BenefitPaymentOrdered`` marked
``may_appropriate_to_arrears`` pays the household's overdue premiums (oldest first) and is
published as ``BenefitAppropriatedToArrears``, the rest left to the payee; one not marked
changes nothing; every event delivered twice changes nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from kokuho.collection.bootstrap import build
from kokuho.collection.config import Settings
from kokuho.events.contracts import assessment, benefits, delinquency
from kokuho.events.contracts import collection as contracts
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import TopicSpec, ensure_topics, with_dead_letters
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.events.testing.waiting import eventually
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import migrated_database, service_user, serving
from kokuho.platform.token import new_private_key

from .conftest import FY, MIGRATIONS, NOW, Running

pytestmark = pytest.mark.integration

HOUSEHOLD, QUIET = "9950000701", "9950000702"
PAYEE, DEBTOR = "9910000701", "9910000702"


@pytest.fixture
async def running(
    pg_admin_dsn: str, kafka: KafkaConnection, kafka_users: dict[str, KafkaConnection]
) -> AsyncIterator[tuple[Running, str]]:
    run = f"test.collection.{uuid.uuid4().hex[:12]}"
    topics = {
        name: f"{run}.{t}"
        for name, t in (
            ("events", contracts.EVENTS_TOPIC),
            ("assessment", assessment.EVENTS_TOPIC),
            ("delinquency", delinquency.EVENTS_TOPIC),
            ("benefits", benefits.EVENTS_TOPIC),
        )
    }
    await ensure_topics(kafka, with_dead_letters([TopicSpec(t, 3, 1) for t in topics.values()]))
    user = await service_user(kafka, kafka_users, "collection", run=run, topics=topics.values())
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        settings = Settings(
            database_dsn=dsn,
            **user,
            events_topic=topics["events"],
            assessment_topic=topics["assessment"],
            delinquency_topic=topics["delinquency"],
            benefits_topic=topics["benefits"],
            consumer_group_prefix=run,
        )
        key = new_private_key()
        app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: NOW)
        async with serving(app, "collection") as client:
            yield (
                Running(
                    client,
                    key,
                    dsn,
                    topics["events"],
                    topics["assessment"],
                    kafka,
                    topics["delinquency"],
                ),
                topics["benefits"],
            )


def payment(household: str, amount: int, *, appropriate: bool) -> Any:
    return benefits.BenefitPaymentOrdered(
        payment_id=uuid.uuid4(),
        decision_id=uuid.uuid4(),
        benefit_kind="special_care",
        nhi_household_number=household,
        payee_addressee_number=PAYEE,
        treatment_month=None,
        amount=amount,
        payment_date=date(FY, 8, 24),
        ordered_by="benefits:supervisor-1",
        ordered_on=date(FY, 8, 10),
        may_appropriate_to_arrears=appropriate,
    )


async def send(run: Running, topic: str, key: str, event: Any) -> None:
    await publish(run.bootstrap, topic, key, event, source="/kokuho/benefits")


async def test_repayments_are_charged_and_marked_payouts_pay_the_arrears(
    running: tuple[Running, str],
) -> None:
    run, topic = running
    await run.assess(HOUSEHOLD, [10_000] * 10)
    await eventually(
        lambda: (
            run.fetchval("SELECT count(*) FROM charges WHERE household = $1", HOUSEHOLD) or None
        ),
        what="the charges",
    )
    repayment = benefits.RepaymentClaimed(
        repayment_id=uuid.uuid4(),
        nhi_household_number=HOUSEHOLD,
        debtor_addressee_number=DEBTOR,
        loss_date=date(FY, 5, 1),
        claims=2,
        amount=48_300,
        due_date=date(FY, 9, 30),
        proposed_by="benefits:clerk-1",
        decided_by="benefits:supervisor-1",
        decided_on=date(FY, 8, 31),
    )
    marked = payment(HOUSEHOLD, 15_000, appropriate=True)
    unmarked = payment(HOUSEHOLD, 9_000, appropriate=False)
    quiet = payment(QUIET, 7_000, appropriate=True)  # no ledger: nothing to set it against
    for event in (repayment, marked, unmarked, quiet):
        await send(run, topic, event.nhi_household_number, event)
    await send(run, topic, HOUSEHOLD, repayment)  # the same facts again, a new message id
    await send(run, topic, HOUSEHOLD, marked)

    [published] = await run.published(contracts.BenefitAppropriatedToArrears.event_type, 1)
    data = published["data"]
    assert published["key"] == HOUSEHOLD
    assert (data["amount"], data["reference"], data["channel"]) == (
        15_000,
        str(marked.payment_id),
        "benefit",
    )
    # on 8/10 periods 1 (6/30) and 2 (7/31) are overdue: 10,000 + 5,000 of the second
    assert [(a["period"], a["amount"]) for a in data["applied"]] == [(1, 10_000), (2, 5_000)]

    async def decided() -> list[Any] | None:
        conn_rows = await run.fetchval("SELECT count(*) FROM benefit_payout_appropriations")
        return conn_rows if conn_rows == 2 else None

    await eventually(decided, what="both marked payouts decided")
    assert (
        await run.fetchval(
            "SELECT appropriated FROM benefit_payout_appropriations WHERE benefit_payment_id = $1",
            str(marked.payment_id),
        )
        == 15_000
    )
    assert (
        await run.fetchval(
            "SELECT appropriated FROM benefit_payout_appropriations WHERE benefit_payment_id = $1",
            str(quiet.payment_id),
        )
        == 0
    )
    assert (
        await run.fetchval(
            "SELECT count(*) FROM benefit_payout_appropriations WHERE benefit_payment_id = $1",
            str(unmarked.payment_id),
        )
        == 0
    )
    assert (
        await run.fetchval(
            "SELECT amount FROM repayment_charges WHERE repayment_id = $1",
            str(repayment.repayment_id),
        )
        == 48_300
    )
    assert await run.fetchval("SELECT count(*) FROM repayment_charges") == 1
    everything = await read_topic(run.bootstrap, run.topic)
    kinds = [json.loads(r.value)["type"] for r in everything]
    assert kinds.count(contracts.BenefitAppropriatedToArrears.event_type) == 1  # not twice
    assert (
        await run.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1",
            f"repayment-{repayment.repayment_id}",
        )
        == 1
    )
    assert (
        await run.fetchval(
            "SELECT user_id FROM audit_log WHERE operation = 'consume RepaymentClaimed'"
        )
        == "system:collection-consumer"
    )

    balance = await run.client.get(
        f"/api/v1/households/{HOUSEHOLD}/balance?as_of={FY}-08-10",
        headers=run.headers("collection.clerk"),
    )
    assert balance.status_code == 200, balance.text
    body = balance.json()
    assert body["received"] == 15_000
    assert sum(i["overdue"] for i in body["instalments"]) == 5_000
    assert [i["paid"] for i in body["instalments"][:3]] == [10_000, 5_000, 0]
