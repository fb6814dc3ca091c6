"""End to end on real Kafka and PostgreSQL, the correction period (ADR 0035) on 2026-11-26
(first correctable year FY2024):

- with the packaged files, FY2024 is refused because Hiroshima's FY2024 rates are unconfirmed
  (the answer names the file and the missing figures), FY2023 because it is outside the period;
- with a city that supplies its FY2024 file (test figures), a household that moved in on
  2024-04-01 is assessed for FY2024 and ``PremiumAssessed`` is published; a backdated loss
  from eligibility corrects FY2024 on Kafka; FY2023 is still refused with its reason.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from kokuho.assessment.bootstrap import build
from kokuho.assessment.config import Settings
from kokuho.events.contracts.eligibility import (
    QualificationLost,
)
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import OwnTopics, serving
from kokuho.platform.token import new_private_key

from ..conftest import TODAY, Running, city_supplied_fy2024
from .test_assessment_api import HEADER, income_line, known_household, numbers
from .test_end_to_end import premium_events

pytestmark = pytest.mark.integration

CLERK = "assessment.clerk"


@pytest.fixture
async def city_supplied(
    assessment_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> AsyncIterator[Running]:
    """The app as ``running``, with ``KOKUHO_ASSESSMENT_PARAMETERS_DIRECTORY`` pointing at a
    city's files that include a complete FY2024."""
    settings = Settings(
        database_dsn=assessment_dsn,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        parameters_directory=city_supplied_fy2024(tmp_path),
        **own_topics.assessment(),
    )
    key = new_private_key("ES256")
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: TODAY)
    async with serving(app, "assessment") as client:
        yield Running(
            client,
            settings,
            key,
            assessment_dsn,
            own_topics.eligibility_events,
            own_topics.linkage_events,
            kafka,
        )


async def assess(running: Running, household: str, fiscal_year: int) -> dict:  # type: ignore[type-arg]
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": fiscal_year},
        headers=running.headers(CLERK),
    )
    return {"status": r.status_code, **r.json()}


def assert_outside_the_period(answer: dict) -> None:  # type: ignore[type-arg]
    assert answer["status"] == 422, answer
    assert answer["type"] == "urn:kokuho:problem:correction-period-expired"
    assert "fiscal year 2023 is outside the correction period on 2026-11-26" in answer["detail"]
    assert "国保法110条" in answer["detail"]
    assert "first correctable fiscal year is 2024" in answer["detail"]


async def test_with_the_packaged_files_fy2024_and_fy2023_are_refused_with_reasons(
    running: Running,
) -> None:
    household, person = numbers()
    await known_household(running, household, person, since=date(2024, 4, 1))

    fy2024 = await assess(running, household, 2024)
    assert fy2024["status"] == 422, fy2024
    assert fy2024["type"] == "urn:kokuho:problem:parameters-unconfirmed"
    assert fy2024["detail"].startswith("hiroshima-2024.toml is marked unconfirmed")
    assert "components.medical.income_rate" in fy2024["detail"]

    assert_outside_the_period(await assess(running, household, 2023))
    rows = await running.fetch(
        "SELECT 1 FROM assessments WHERE nhi_household_number = $1", household
    )
    assert rows == []


async def test_a_city_supplied_fy2024_is_assessed_then_corrected_on_kafka(
    city_supplied: Running,
) -> None:
    running = city_supplied
    household, person = numbers()
    await known_household(running, household, person, since=date(2024, 4, 1))
    r = await running.client.post(
        "/api/v1/income-imports",
        json={
            "file_name": "tax-2023.csv",
            "content": f"{HEADER}\n{income_line(person, 2_000_000, year=2023)}\n",
        },
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201, r.text

    answer = await assess(running, household, 2024)
    assert answer["status"] == 201, answer
    (first,) = await premium_events(running, household, 1)
    data = first["data"]
    assert data["fiscal_year"] == 2024
    assert data["kind"] == "assessment"
    assert data["insured_months"] == 12
    # 旧ただし書き所得 2,000,000 − 430,000 = 1,570,000; test figures of conftest:
    # 医療 1,570,000×8.00% = 125,600 + 30,000 + 29,000 = 184,600
    # 支援 1,570,000×2.60% = 40,820 + 10,000 + 10,000 = 60,820 → 60,800
    # 介護 (44 years old) 1,570,000×2.30% = 36,110 + 9,500 + 7,000 = 52,610 → 52,600
    assert data["annual_amount"] == 298_000
    assert [d.split(".")[0] for d in data["parameter_documents"]] == [
        "national-2024",
        "hiroshima-2024",
    ]
    # every FY2024 instalment is past on 2026-11-26: the amount goes to the last (第10期)
    assert [i["amount"] for i in data["instalments"]] == [0] * 9 + [298_000]
    assert person not in json.dumps(first)

    # a loss on 2024-10-01 reported late: FY2024 is corrected to April–September
    await running.publish_eligibility(
        household,
        QualificationLost(
            change_id=uuid.uuid4(),
            entered_by="E1",
            confirmed_by="E2",
            addressee_number=person,
            nhi_household_number=household,
            insured_number="12345678",
            loss_date=date(2024, 10, 1),
            loss_reason="joined_employee_insurance",
            fact_date=date(2024, 9, 30),
            notification_date=date(2026, 11, 20),
            late_notification=True,
            remains_in_household=False,
        ),
    )
    events = await premium_events(running, household, 2)
    correction = events[1]["data"]
    assert correction["fiscal_year"] == 2024
    assert correction["kind"] == "correction"
    assert correction["cause"] == "eligibility_change"
    assert correction["revision"] == 2
    assert correction["insured_months"] == 6
    # 184,600/2 = 92,300; 60,800/2 = 30,400; 52,600/2 = 26,300
    assert correction["annual_amount"] == 149_000
    assert correction["difference"] == -149_000
    assert [i["difference"] for i in correction["instalments"]] == [0] * 9 + [-149_000]

    assert_outside_the_period(await assess(running, household, 2023))
