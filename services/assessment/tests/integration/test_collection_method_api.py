"""特別徴収 on the real PostgreSQL and Kafka: pension data → an assessment collected from the
pension → PremiumAssessed on Kafka with the method; a 口座振替 request → a correction to
普通徴収 on Kafka; bad pension data → 422 naming the field, nothing changed."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ..conftest import Running
from .test_assessment_api import HEADER, income_line, known_household, numbers
from .test_end_to_end import premium_events

pytestmark = pytest.mark.integration

CLERK = "assessment.clerk"
BORN = date(1958, 6, 1)  # 67 on 2026-04-01; attains 75 only in 2033


async def test_pension_special_collection_then_request_for_ordinary(running: Running) -> None:
    household, person = numbers()
    await known_household(running, household, person, born=BORN)
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": f"{HEADER}\n{income_line(person, 1_500_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201, r.text
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers(CLERK),
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["collection"]["method"] == "ordinary"
    assert "no-pension-with-ltc-special-collection" in first["collection"]["reasons"]

    # bad pension data: 422 naming the field, nothing recorded, nothing re-assessed
    snapshot = (
        "SELECT revision, collection::text FROM assessments WHERE nhi_household_number = $1",
        household,
    )
    before = await running.fetch(*snapshot)
    r = await running.client.post(
        "/api/v1/pensions",
        json={
            "addressee_number": person,
            "fiscal_year": 2026,
            "annual_amount": 2_400_000,
            "ltc_special_collection": True,
            "ltc_premium": -1,
        },
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any(e["pointer"] == "/body/ltc_premium" for e in r.json()["errors"]), r.json()
    assert await running.fetch("SELECT 1 FROM pensions WHERE addressee_number = $1", person) == []
    assert await running.fetch(*snapshot) == before

    # the pension insurer's data: 特別徴収 applies, 仮徴収 = last February's deduction
    r = await running.client.post(
        "/api/v1/pensions",
        json={
            "addressee_number": person,
            "fiscal_year": 2026,
            "annual_amount": 2_400_000,
            "ltc_special_collection": True,
            "ltc_premium": 90_000,
            "previous_february_deduction": 15_000,
        },
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201, r.text
    assert [(x["revision"], x["changed"]) for x in r.json()["reassessed"]] == [(2, True)]
    r = await running.client.get(
        f"/api/v1/households/{household}/assessments/2026", headers=running.headers(CLERK)
    )
    special = r.json()
    assert special["collection"]["method"] == "special", special["collection"]
    assert [d["amount"] for d in special["collection"]["deductions"][:3]] == [15_000] * 3
    assert sum(d["amount"] for d in special["collection"]["deductions"]) == first["annual_amount"]

    # 口座振替 requested: a correction to 普通徴収; the same request again is answered the same
    request = {
        "nhi_household_number": household,
        "fiscal_year": 2026,
        "method": "ordinary",
        "reason": "口座振替依頼書 received",
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    r = await running.client.post(
        "/api/v1/collection-method-requests", json=request, headers=running.headers(CLERK, **key)
    )
    assert r.status_code == 201, r.text
    assert [(x["revision"], x["changed"]) for x in r.json()["reassessed"]] == [(3, True)]
    replay = await running.client.post(
        "/api/v1/collection-method-requests", json=request, headers=running.headers(CLERK, **key)
    )
    assert replay.json() == r.json()
    again = await running.client.post(
        "/api/v1/collection-method-requests", json=request, headers=running.headers(CLERK)
    )
    assert [x["changed"] for x in again.json()["reassessed"]] == [False]
    audited = await running.fetch(
        "SELECT detail FROM audit_log WHERE $1 = ANY(subject_addressee_numbers)"
        " AND detail ? 'collection_method'",
        person,
    )
    assert audited

    events = await premium_events(running, household, 3)
    data = [e["data"] for e in events]
    assert [(d["revision"], d["kind"], d["collection_method"]) for d in data] == [
        (1, "assessment", "ordinary"),
        (2, "correction", "special"),
        (3, "correction", "ordinary"),
    ]
    assert data[1]["special_collection_deductions"] == special["collection"]["deductions"]
    assert data[2]["special_collection_deductions"] == []
    assert data[2]["difference"] == 0


async def test_a_request_for_an_unknown_household_is_404_and_changes_nothing(
    running: Running,
) -> None:
    household, _ = numbers()
    r = await running.client.post(
        "/api/v1/collection-method-requests",
        json={
            "nhi_household_number": household,
            "fiscal_year": 2026,
            "method": "ordinary",
            "reason": "x",
        },
        headers=running.headers(CLERK),
    )
    assert r.status_code == 404
    assert (
        await running.fetch(
            "SELECT 1 FROM collection_method_requests WHERE nhi_household_number = $1", household
        )
        == []
    )
