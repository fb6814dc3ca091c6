"""Arrears across the services, on the real PostgreSQL and Kafka (issues 10 and 12).

Also: a household a year behind is flagged by delinquency (特別療養費) and the flag reaches
eligibility, whose next 資格確認書 for a member is a 資格確認書（特別療養費）.

assessment's PremiumAssessed (published as assessment would) → collection charges it → the
instalment stays unpaid, collection's dunning job issues the 督促状 (DunningNoticeIssued) →
delinquency tracks it and, once the designated deadline has passed unpaid, opens a case →
a deposit is seized and its proceeds collected (ProceedsCollected) → collection takes them in as
a payment (PaymentReceived, channel enforcement) → delinquency closes the case. Nothing of the
delinquency file reaches collection's database or topic (C-08).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from kokuho.collection import bootstrap as collection_bootstrap
from kokuho.collection import config as collection_config
from kokuho.delinquency import bootstrap as delinquency_bootstrap
from kokuho.delinquency import config as delinquency_config
from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.events.contracts import assessment
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import publish, topic_text
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    database_text,
    eventually,
    migrated_database,
    serving,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 in Japan: both services' today


def headers(key: PrivateKey, user: str, *roles: str) -> dict[str, str]:
    return staff_headers(
        key, user, *roles, terminal_id="T-E2E", **{"Idempotency-Key": str(uuid.uuid4())}
    )


def assessed(household: str, fiscal_year: int = 2026) -> assessment.PremiumAssessed:
    """One instalment of 30,000 yen due on 30 June (the first of the fiscal year)."""
    return assessment.PremiumAssessed(
        assessment_id=uuid.uuid4(),
        nhi_household_number=household,
        fiscal_year=fiscal_year,
        revision=1,
        kind="assessment",
        cause="annual_run",
        assessed_on=date(fiscal_year, 6, 15),
        annual_amount=30_000,
        difference=0,
        statutory_reduction=0,
        insured_months=12,
        components=[],
        instalments=[
            assessment.Instalment(
                period=1, due_date=date(fiscal_year, 6, 30), amount=30_000, difference=0
            )
        ],
        parameter_documents=[],
        assessed_by="system:annual-run",
    )


def collection_and_delinquency(
    c_dsn: str, d_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, verifier: TokenVerifier
) -> tuple[FastAPI, FastAPI]:
    """The two services on their own databases, wired to each other through the test's topics,
    both with today = NOW."""
    collection_app = collection_bootstrap.build(
        collection_config.Settings(
            database_dsn=c_dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            events_topic=own_topics.collection_events,
            assessment_topic=own_topics.assessment_events,
            delinquency_topic=own_topics.delinquency_events,
            consumer_group_prefix=own_topics.consumer_group_prefix,
            **own_topics.user("collection"),
        ),
        token_verifier=verifier,
        clock=lambda: NOW,
    )
    delinquency_app = delinquency_bootstrap.build(
        delinquency_config.Settings(
            database_dsn=d_dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            events_topic=own_topics.delinquency_events,
            collection_topic=own_topics.collection_events,
            consumer_group_prefix=own_topics.consumer_group_prefix,
            **own_topics.user("delinquency"),
        ),
        token_verifier=verifier,
        clock=lambda: NOW,
    )
    return collection_app, delinquency_app


async def case(client: httpx.AsyncClient, key: PrivateKey, household: str) -> dict[str, Any]:
    got = await client.get(
        f"/api/v1/cases/{household}", headers=headers(key, "U-OFF", "delinquency.officer")
    )
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def test_an_unpaid_instalment_becomes_a_case_whose_seizure_pays_it(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    household = f"99{uuid.uuid4().int % 10**8:08d}"
    async with (
        migrated_database(pg_admin_dsn, ROOT / "services/collection/migrations") as c_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/delinquency/migrations") as d_dsn,
    ):
        collection_app, delinquency_app = collection_and_delinquency(
            c_dsn, d_dsn, kafka, own_topics, verifier
        )
        async with (
            serving(collection_app, "collection") as collection,
            serving(delinquency_app, "delinquency") as delinquency,
        ):
            await publish(
                kafka,
                own_topics.assessment_events,
                household,
                assessed(household),
                source="/kokuho/assessment",
            )
            clerk = headers(key, "U-CLERK", "collection.clerk")

            async def charged() -> bool:
                got = await collection.get(f"/api/v1/households/{household}/balance", headers=clerk)
                return got.status_code == 200 and len(got.json()["instalments"]) == 1

            await eventually(charged, what="collection's charge from PremiumAssessed")
            dunning = await collection.post(
                "/api/v1/jobs/dunning",
                json={"run_on": "2026-07-21"},
                headers=headers(key, "U-OP", "batch.operator"),
            )
            assert dunning.status_code == 200, dunning.text
            assert dunning.json()["items"] >= 1

            supervisor = ("U-SUP", "delinquency.supervisor")

            async def opened() -> dict[str, Any] | None:
                review = await delinquency.post(
                    "/api/v1/jobs/review",
                    json={"run_on": "2026-09-01"},  # well after the designated deadline
                    headers=headers(key, *supervisor),
                )
                assert review.status_code == 200, review.text
                got = await delinquency.get(
                    f"/api/v1/cases/{household}",
                    headers=headers(key, "U-OFF", "delinquency.officer"),
                )
                return (
                    got.json()
                    if got.status_code == 200 and got.json()["status"] == "open"
                    else None
                )

            opened_case = await eventually(opened, what="the case opened from collection's dunning")
            assert opened_case["outstanding"] == 30_000

            officer = headers(key, "U-OFF", "delinquency.officer")
            seized = await delinquency.post(
                f"/api/v1/cases/{household}/seizures",
                json={"kind": "deposit", "description": "普通預金", "amount": 30_000,
                      "seized_on": "2026-09-02"},
                headers=officer,
            )  # fmt: skip
            assert seized.status_code == 201, seized.text
            proceeds = await delinquency.post(
                f"/api/v1/cases/{household}/seizures/{seized.json()['id']}/proceeds",
                json={"amount": 30_000, "received_on": "2026-09-03"},
                headers=headers(key, "U-OFF", "delinquency.officer"),
            )
            assert proceeds.status_code == 201, proceeds.text

            async def closed() -> dict[str, Any] | None:
                found = await case(delinquency, key, household)
                return found if found["status"] == "closed" else None

            done = await eventually(closed, what="the case closed by collection's payment")
            assert done["outstanding"] == 0
            balance = await collection.get(f"/api/v1/households/{household}/balance", headers=clerk)
            [instalment] = balance.json()["instalments"]
            assert instalment["paid"] == 30_000

        text = await topic_text(kafka, own_topics.collection_events)
        assert '"channel":"enforcement"' in text.replace(" ", "")
        # C-08: the delinquency file stays in delinquency
        for private in ("普通預金", "U-OFF"):
            assert private not in text
            assert private not in await database_text(c_dsn)
        conn = await asyncpg.connect(c_dsn)
        try:
            payments = await conn.fetchval(
                "SELECT count(*) FROM events"
                " WHERE event_type = 'jp.kokuho.collection.payment_received.v1'"
            )
        finally:
            await conn.close()
        assert payments == 1


def move_in(head: str) -> dict[str, Any]:
    return {
        "householder_addressee_number": head,
        "members": [
            {
                "addressee_number": head,
                "reason": "moved_in",
                "fact_date": "2025-04-01",
                "notification_date": "2025-04-01",
                "relationship": "householder",
                "details": {
                    "name": "試験　滞納",
                    "name_kana": "シケン　タイノウ",
                    "sex": "male",
                    "birth_date": "1970-01-01",
                    "address": "広島市中区基町1丁目1-1",
                },
            }
        ],
        "identity_verification": {"method": "mn_card"},
    }


async def test_a_household_a_year_behind_gets_the_special_care_certificate(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics
) -> None:
    """Issue 12: FY2025's first instalment (due 2025-06-30) unpaid → dunned → a case → the
    advance notice → a year behind: delinquency flags 特別療養費 → eligibility records it and
    the next 資格確認書 is a 資格確認書（特別療養費）."""
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    head = f"39{uuid.uuid4().int % 10**8:08d}"
    async with (
        migrated_database(pg_admin_dsn, ROOT / "services/eligibility/migrations") as e_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/collection/migrations") as c_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/delinquency/migrations") as d_dsn,
    ):
        eligibility_app = eligibility_bootstrap.build(
            eligibility_config.Settings(
                database_dsn=e_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                turning_75_daily=False,
                **own_topics.eligibility(),
            ),
            token_verifier=verifier,
            clock=lambda: NOW,
        )
        collection_app, delinquency_app = collection_and_delinquency(
            c_dsn, d_dsn, kafka, own_topics, verifier
        )
        async with (
            serving(eligibility_app, "eligibility") as eligibility,
            serving(collection_app, "collection") as collection,
            serving(delinquency_app, "delinquency") as delinquency,
        ):
            clerk_a, clerk_b = "eligibility.clerk", "eligibility.clerk"
            entered = await eligibility.post(
                "/api/v1/households", json=move_in(head), headers=headers(key, "c-a", clerk_a)
            )
            assert entered.status_code == 201, entered.text
            confirmed = await eligibility.post(
                f"/api/v1/changes/{entered.json()['change_id']}/confirm",
                headers=headers(key, "c-b", clerk_b),
            )
            assert confirmed.status_code == 200, confirmed.text
            household = confirmed.json()["nhi_household_number"]

            await publish(
                kafka,
                own_topics.assessment_events,
                household,
                assessed(household, 2025),
                source="/kokuho/assessment",
            )
            clerk = headers(key, "U-CLERK", "collection.clerk")

            async def charged() -> bool:
                got = await collection.get(f"/api/v1/households/{household}/balance", headers=clerk)
                return got.status_code == 200 and len(got.json()["instalments"]) == 1

            await eventually(charged, what="collection's FY2025 charge")
            dunning = await collection.post(
                "/api/v1/jobs/dunning",
                json={"run_on": "2025-07-21"},
                headers=headers(key, "U-OP", "batch.operator"),
            )
            assert dunning.status_code == 200, dunning.text

            async def reviewed(on: str, status: str) -> dict[str, Any] | None:
                review = await delinquency.post(
                    "/api/v1/jobs/review",
                    json={"run_on": on},
                    headers=headers(key, "U-SUP", "delinquency.supervisor"),
                )
                assert review.status_code == 200, review.text
                got = await delinquency.get(
                    f"/api/v1/cases/{household}",
                    headers=headers(key, "U-OFF", "delinquency.officer"),
                )
                return (
                    got.json()
                    if got.status_code == 200 and got.json()["status"] == status
                    else None
                )

            await eventually(lambda: reviewed("2025-09-01", "open"), what="the case opened")
            sent = await delinquency.post(
                f"/api/v1/cases/{household}/advance-notices",
                json={"sent_on": "2026-07-01"},
                headers=headers(key, "U-OFF", "delinquency.officer"),
            )
            assert sent.status_code == 200, sent.text
            flagged = await reviewed("2026-08-03", "open")
            assert flagged is not None

            async def special() -> dict[str, Any] | None:
                issued = await eligibility.post(
                    f"/api/v1/households/{household}/certificates",
                    json={
                        "kind": "eligibility_confirmation_document",
                        "addressee_number": head,
                        "issue_date": "2026-11-30",
                    },
                    headers=headers(key, "c-a", clerk_a),
                )
                assert issued.status_code == 201, issued.text
                (event,) = [
                    e
                    for e in issued.json()["events"]
                    if e["type"].endswith("certificate_issued.v1")
                ]
                return event["data"] if event["data"]["special_care"] else None

            certificate = await eventually(special, what="the flag recorded in eligibility")
            assert certificate["addressee_number"] == head
