"""A move-in at the counter, across the services, on the real PostgreSQL and Kafka.

eligibility (a household moves in; a second clerk confirms) → QualificationAcquired on Kafka →
assessment (knows the household, assesses FY2026 from imported income → PremiumAssessed) and
linkage-gateway (registers the replica at the intermediate server with the integrated
addressee number, C-79). The person's individual number, registered at linkage-gateway, must
then appear nowhere else: not in eligibility's or assessment's database, not on any topic the
journey used, not in any log line; and in linkage-gateway's own database only encrypted.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from kokuho.assessment import bootstrap as assessment_bootstrap
from kokuho.assessment import config as assessment_config
from kokuho.assessment.domain.income_file import COLUMNS
from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import topic_text
from kokuho.linkage_gateway import bootstrap as gateway_bootstrap
from kokuho.linkage_gateway import config as gateway_config
from kokuho.linkage_gateway.synthetic import synthetic_number
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    captured_logs,
    database_text,
    eventually,
    migrated_database,
    serving,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def headers(key: PrivateKey, user: str, *roles: str) -> dict[str, str]:
    return staff_headers(key, user, *roles, terminal_id="T-E2E")


async def test_a_move_in_reaches_assessment_and_the_intermediate_server(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]

    head = f"3{uuid.uuid4().int % 10**9:09d}"
    number = synthetic_number(random.Random()).value
    moved_in = date.today() - timedelta(days=3)

    with captured_logs() as logs:
        async with (
            migrated_database(
                pg_admin_dsn, ROOT / "services/eligibility/migrations"
            ) as eligibility_dsn,
            migrated_database(
                pg_admin_dsn, ROOT / "services/assessment/migrations"
            ) as assessment_dsn,
            migrated_database(
                pg_admin_dsn, ROOT / "services/linkage-gateway/migrations"
            ) as gateway_dsn,
        ):
            eligibility_app = eligibility_bootstrap.build(
                eligibility_config.Settings(
                    database_dsn=eligibility_dsn,
                    kafka_bootstrap_servers=kafka.bootstrap_servers,
                    **own_topics.eligibility(),
                ),
                token_verifier=verifier,
            )
            assessment_app = assessment_bootstrap.build(
                assessment_config.Settings(
                    database_dsn=assessment_dsn,
                    kafka_bootstrap_servers=kafka.bootstrap_servers,
                    **own_topics.assessment(),
                ),
                token_verifier=verifier,
            )
            gateway_settings = gateway_config.Settings(
                database_dsn=gateway_dsn,
                kafka_bootstrap_servers=kafka.bootstrap_servers,
                key_directory=tmp_path / "keys",
                create_dev_keys=True,
                federation_outbox=None,
                **own_topics.linkage_gateway(),
            )
            gateway_app = gateway_bootstrap.build(gateway_settings, token_verifier=verifier)

            async with (
                serving(eligibility_app, "eligibility") as eligibility,
                serving(assessment_app, "assessment") as assessment,
                serving(gateway_app, "linkage-gateway") as gateway,
            ):
                # ② the individual number is registered at linkage-gateway, and only there.
                r = await gateway.post(
                    "/api/v1/individual-numbers",
                    json={"addressee_number": head, "individual_number": number},
                    headers=headers(key, "clerk-a", "eligibility.clerk"),
                )
                assert r.status_code == 201, r.text
                assert number not in r.text

                # ① the move-in, entered by one clerk and confirmed by another (C-11).
                r = await eligibility.post(
                    "/api/v1/households",
                    json={
                        "householder_addressee_number": head,
                        "members": [
                            {
                                "addressee_number": head,
                                "reason": "moved_in",
                                "fact_date": moved_in.isoformat(),
                                "notification_date": moved_in.isoformat(),
                                "relationship": "householder",
                                "details": {
                                    "name": "試験　花子",
                                    "name_kana": "シケン　ハナコ",
                                    "sex": "female",
                                    "birth_date": "1980-05-05",
                                    "postal_code": "730-0011",
                                    "address": "広島市中区基町1丁目1-1",
                                    "phone": "082-000-0000",
                                },
                            }
                        ],
                        "identity_verification": {"method": "mn_card"},
                    },
                    headers=headers(key, "clerk-a", "eligibility.clerk"),
                )
                assert r.status_code == 201, r.text
                change = r.json()["change_id"]
                r = await eligibility.post(
                    f"/api/v1/changes/{change}/confirm",
                    headers=headers(key, "clerk-b", "eligibility.clerk"),
                )
                assert r.status_code == 200, r.text
                household = r.json()["nhi_household_number"]

                # ⑥ the tax system's income, then ⑧ the assessment once the household is known.
                line = ",".join(
                    [head, "2025", "1980-05-05", "1", "3000000", "2000000"]
                    + ["0"] * 6
                    + ["taxable"]
                )
                assert len(line.split(",")) == len(COLUMNS)
                r = await assessment.post(
                    "/api/v1/income-imports",
                    json={"file_name": "tax.csv", "content": f"{','.join(COLUMNS)}\n{line}\n"},
                    headers=headers(key, "batch-1", "batch.operator"),
                )
                assert r.status_code == 201, r.text

                async def assess() -> dict[str, Any] | None:
                    response = await assessment.post(
                        "/api/v1/assessments",
                        json={"nhi_household_number": household, "fiscal_year": 2026},
                        headers=headers(key, "assessor-1", "assessment.clerk"),
                    )
                    return response.json() if response.status_code == 201 else None

                assessed = await eventually(assess)
                assert assessed["annual_amount"] > 0

                async def replicas() -> dict[str, str] | None:
                    conn = await asyncpg.connect(gateway_dsn)
                    try:
                        rows = await conn.fetch(
                            "SELECT item, integrated_addressee_number"
                            " FROM replica_registrations WHERE addressee_number = $1",
                            head,
                        )
                    finally:
                        await conn.close()
                    found = {r["item"]: r["integrated_addressee_number"] for r in rows}
                    # ⑤ the qualification and ⑧ the premium, both as replicas (C-79)
                    return found if {"nhi-qualification", "nhi-premium"} <= set(found) else None

                registered = await eventually(replicas)
                assert len(set(registered.values())) == 1  # one integrated addressee number

            published = await topic_text(kafka, own_topics.assessment_events)
            assert household in published  # PremiumAssessed reached Kafka

            # The individual number exists nowhere but linkage-gateway, and there encrypted.
            places = {
                "eligibility database": await database_text(eligibility_dsn),
                "assessment database": await database_text(assessment_dsn),
                "linkage-gateway database": await database_text(gateway_dsn),
                "eligibility topic": await topic_text(kafka, own_topics.eligibility_events),
                "personal-details topic": await topic_text(kafka, own_topics.personal_details),
                "assessment topic": published,
                "linkage-gateway topic": await topic_text(kafka, own_topics.linkage_events),
                "logs": "\n".join(logs.lines),
            }
            assert head in places["eligibility database"]  # the scan does see the data
            assert head in places["linkage-gateway database"]
            leaks = [where for where, text in places.items() if number in text]
            assert leaks == []
