"""Income to the 70–74 rate on the certificate, across the services, on the real PostgreSQL and
Kafka (issue 11, ADR 0045).

eligibility (a 72-year-old moves in; a second clerk confirms) → QualificationAcquired on Kafka →
assessment knows the household → the tax system's income file (format 2: 課税所得 1,987,654, over
the 145万 line) → assessment states the household's income facts on its restricted topic →
benefits decides 3割 (現役並みⅠ) and publishes CopaymentRateDecided → eligibility records it
and the next 資格確認書 prints 3割. The figures stay off assessment's general topic and out of
benefits' database and topic; a stranger's line in the same file is discarded (C-06).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from kokuho.assessment import bootstrap as assessment_bootstrap
from kokuho.assessment import config as assessment_config
from kokuho.assessment.domain.income_file import COLUMNS_2
from kokuho.benefits import bootstrap as benefits_bootstrap
from kokuho.benefits import config as benefits_config
from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.events.contracts.assessment import income_facts_topic
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import topic_text
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.documents import checks
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
CLERK = "eligibility.clerk"
TAXABLE = 1_987_654  # 住民税 課税標準額: ≥ 1,450,000 → 現役並みⅠ
SALARY_INCOME = 2_765_432  # 旧ただし書き 2,335,432 > 210万; 収入 4,000,000 ≥ 383万: 3割 stands


def headers(key: PrivateKey, user: str, *roles: str) -> dict[str, str]:
    return staff_headers(
        key, user, *roles, terminal_id="T-E2E", **{"Idempotency-Key": str(uuid.uuid4())}
    )


def move_in(head: str, birth: date, moved_in: date) -> dict[str, Any]:
    return {
        "householder_addressee_number": head,
        "members": [
            {
                "addressee_number": head,
                "reason": "moved_in",
                "fact_date": moved_in.isoformat(),
                "notification_date": moved_in.isoformat(),
                "relationship": "householder",
                "details": {
                    "name": "試験　太郎",
                    "name_kana": "シケン　タロウ",
                    "sex": "male",
                    "birth_date": birth.isoformat(),
                    "postal_code": "730-0011",
                    "address": "広島市中区基町1丁目1-1",
                    "phone": "082-000-0000",
                },
            }
        ],
        "identity_verification": {"method": "mn_card"},
    }


async def rows(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def test_taxable_income_over_the_line_prints_3_wari_on_the_next_certificate(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    today = date.today()
    income_year = today.year - 1 if today.month >= 8 else today.year - 2  # the rate in force
    birth = date(today.year - 72, 3, 3)
    head = f"3{uuid.uuid4().int % 10**9:09d}"
    stranger = f"4{uuid.uuid4().int % 10**9:09d}"
    facts_topic = income_facts_topic(own_topics.assessment_events)  # own_topics created it

    async with (
        migrated_database(pg_admin_dsn, ROOT / "services/eligibility/migrations") as e_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/assessment/migrations") as a_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/benefits/migrations") as b_dsn,
    ):
        eligibility_app = eligibility_bootstrap.build(
            eligibility_config.Settings(
                database_dsn=e_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                **own_topics.eligibility(),
            ),
            token_verifier=verifier,
        )
        assessment_app = assessment_bootstrap.build(
            assessment_config.Settings(
                database_dsn=a_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                **own_topics.assessment(),
            ),
            token_verifier=verifier,
        )
        benefits_app = benefits_bootstrap.build(
            benefits_config.Settings(
                database_dsn=b_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                **own_topics.benefits(),  # with the facts topic beside assessment's
                monthly_run_job=False,
            ),
            token_verifier=verifier,
        )
        async with (
            serving(eligibility_app, "eligibility") as eligibility,
            serving(assessment_app, "assessment") as assessment,
            serving(benefits_app, "benefits"),
        ):
            r = await eligibility.post(
                "/api/v1/households",
                json=move_in(head, birth, today - timedelta(days=3)),
                headers=headers(key, "clerk-a", CLERK),
            )
            assert r.status_code == 201, r.text
            r = await eligibility.post(
                f"/api/v1/changes/{r.json()['change_id']}/confirm",
                headers=headers(key, "clerk-b", CLERK),
            )
            assert r.status_code == 200, r.text
            household = r.json()["nhi_household_number"]

            async def issued() -> dict[str, Any]:
                r = await eligibility.post(
                    f"/api/v1/households/{household}/certificates",
                    json={
                        "kind": "eligibility_confirmation_document",
                        "addressee_number": head,
                        "issue_date": today.isoformat(),
                    },
                    headers=headers(key, "clerk-a", CLERK),
                )
                assert r.status_code == 201, r.text
                (event,) = [
                    e for e in r.json()["events"] if e["type"].endswith("certificate_issued.v1")
                ]
                got = await eligibility.get(
                    f"/api/v1/certificates/{event['data']['certificate_id']}",
                    headers=headers(key, "clerk-a", CLERK),
                )
                body: dict[str, Any] = got.json()
                return body

            assert (await issued())["copayment_rate_tenths"] == 2  # the documented default

            # assessment knows the household from eligibility's events before the file comes
            await eventually(
                lambda: rows(
                    a_dsn, "SELECT 1 FROM household_members WHERE addressee_number = $1", head
                ),
                30,
                what="assessment knows the household",
            )
            lines = [
                [head, str(income_year), birth.isoformat(), "1", "4000000", str(SALARY_INCOME)]
                + ["0"] * 6
                + ["taxable", str(TAXABLE), "0"],
                [stranger, str(income_year), "1960-01-01", "1", "9000000", "7000000"]
                + ["0"] * 6
                + ["taxable", "6000000", "0"],
            ]
            content = "\n".join([",".join(COLUMNS_2), *(",".join(line) for line in lines), ""])
            r = await assessment.post(
                "/api/v1/income-imports",
                json={"file_name": "tax-format-2.csv", "content": content},
                headers=headers(key, "batch-1", "batch.operator"),
            )
            assert r.status_code == 201, r.text
            answer = r.json()
            assert (answer["applied"], answer["discarded_non_subjects"]) == (1, 1)
            assert answer["income_facts_stated"] == 1

            async def printed_3_wari() -> dict[str, Any] | None:
                certificate = await issued()
                return certificate if certificate["copayment_rate_tenths"] == 3 else None

            after = await eventually(printed_3_wari, 60, what="3割 on the next certificate")
            pdf = await eligibility.get(
                f"/api/v1/certificates/{after['certificate_id']}/pdf",
                headers=headers(key, "clerk-a", CLERK),
            )
            assert "3割" in checks.text_of(pdf.content)

            (decision,) = await rows(
                b_dsn,
                "SELECT copayment_rate_percent, elderly_category, decided_by"
                " FROM copayment_rates WHERE nhi_household_number = $1",
                household,
            )
            assert tuple(decision) == (30, "active_1", "system:benefits-income-facts")

        # the figures travel on the restricted topic only, and stay out of benefits
        general = await topic_text(kafka, own_topics.assessment_events)
        restricted = await topic_text(kafka, facts_topic)
        assert str(SALARY_INCOME - 430_000) in restricted  # 旧ただし書き所得 stated
        assert "taxable_income" not in general
        assert str(TAXABLE) not in general
        benefits_topic = await topic_text(kafka, own_topics.benefits_events)
        assert head in benefits_topic
        assert str(TAXABLE) not in benefits_topic
        assert str(TAXABLE) not in await database_text(b_dsn)
        # the stranger's line was discarded, not stored (C-06)
        assert (
            await rows(a_dsn, "SELECT 1 FROM incomes WHERE addressee_number = $1", stranger) == []
        )
        (receipt,) = await rows(a_dsn, "SELECT discarded_non_subjects FROM income_imports")
        assert receipt[0] == 1
