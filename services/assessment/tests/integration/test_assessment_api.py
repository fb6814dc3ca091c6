"""The assessment API on the real PostgreSQL and Kafka: income import (all or nothing), the
assessment with its explanation, 減免 with four eyes, idempotency and the audit trail."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest

from kokuho.assessment.domain.income_file import COLUMNS
from kokuho.events.contracts.eligibility import HouseholdRegistered, QualificationAcquired
from kokuho.platform.testing import eventually

from ..conftest import Running

pytestmark = pytest.mark.integration

HEADER = ",".join(COLUMNS)
CLERK = "assessment.clerk"
SUPERVISOR = "assessment.supervisor"


def numbers() -> tuple[str, str]:
    n = uuid.uuid4().int % 10**9
    return f"1{n:09d}", f"2{n:09d}"


def income_line(addressee: str, salary_income: int, year: int = 2025) -> str:
    return (
        f"{addressee},{year},1980-05-05,1,{salary_income + 1_000_000},{salary_income},"
        "0,0,0,0,0,0,taxable"
    )


async def known_household(
    running: Running,
    household: str,
    person: str,
    *,
    since: date = date(2026, 4, 1),
    born: date = date(1980, 5, 5),
) -> None:
    """Eligibility tells assessment about a one-person household that moved in ``since``."""
    change = uuid.uuid4()
    await running.publish_eligibility(
        household,
        HouseholdRegistered(
            change_id=change,
            entered_by="E1",
            confirmed_by="E2",
            nhi_household_number=household,
            householder_addressee_number=person,
            deemed_householder=False,
            effective_date=since,
        ),
        QualificationAcquired(
            change_id=change,
            entered_by="E1",
            confirmed_by="E2",
            addressee_number=person,
            nhi_household_number=household,
            insured_number="12345678",
            card_symbol="広島",
            card_number="1",
            branch_number="01",
            acquisition_date=since,
            acquisition_reason="moved_in",
            fact_date=since,
            notification_date=since + timedelta(days=2),
            late_notification=False,
            birth_date=born,
            relationship="householder",
            householder_addressee_number=person,
        ),
    )
    await wait_for(running, "SELECT 1 FROM household_members WHERE addressee_number = $1", person)


async def wait_for(running: Running, sql: str, *args: object, timeout: float = 30.0) -> None:
    await eventually(lambda: running.fetch(sql, *args), timeout, interval=0.1, what=f"{sql} {args}")


async def test_a_bad_income_file_changes_nothing(running: Running) -> None:
    _household, person = numbers()
    content = "\n".join([HEADER, income_line(person, 2_000_000), "1,2025,x", ""])
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "tax.csv", "content": content},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"].endswith("income-file-refused")
    assert problem["errors"] == [
        {"pointer": "/body/content/line/3", "reason": "expected 13 fields, found 3"}
    ]
    assert await running.fetch("SELECT * FROM incomes") == []
    assert await running.fetch("SELECT * FROM income_imports") == []

    # a correction file with one bad line leaves the recorded income, the assessment and the
    # event store exactly as they were (no re-assessment, nothing for Kafka)
    household, other = numbers()
    await known_household(running, household, other)
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": f"{HEADER}\n{income_line(other, 2_000_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201, r.text
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers(CLERK),
    )
    assert r.status_code == 201, r.text
    before = [
        await running.fetch(sql)
        for sql in (
            "SELECT * FROM incomes ORDER BY addressee_number",
            "SELECT * FROM assessments ORDER BY nhi_household_number",
            "SELECT event_id FROM events ORDER BY global_position",
            "SELECT position FROM outbox ORDER BY position",
        )
    ]
    correction = "\n".join([HEADER, income_line(other, 3_000_000), "1,2025,x", ""])
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "tax.csv", "content": correction},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 422
    after = [
        await running.fetch(sql)
        for sql in (
            "SELECT * FROM incomes ORDER BY addressee_number",
            "SELECT * FROM assessments ORDER BY nhi_household_number",
            "SELECT event_id FROM events ORDER BY global_position",
            "SELECT position FROM outbox ORDER BY position",
        )
    ]
    assert after == before
    (row,) = await running.fetch(
        "SELECT salary_income FROM incomes WHERE addressee_number = $1", other
    )
    assert row["salary_income"] == 2_000_000


async def test_the_valid_part_is_applied_only_on_request_and_recorded(running: Running) -> None:
    household, person = numbers()
    await known_household(running, household, person)  # a subject (C-06)
    content = "\n".join([HEADER, income_line(person, 2_000_000), "1,2025,x", ""])
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "tax.csv", "content": content, "apply_valid_part": True},
        headers=running.headers("batch.operator", user="U-OPERATOR"),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "partially_applied"
    assert body["applied"] == 1
    assert body["rejected"] == [{"line": 3, "field": None, "reason": "expected 13 fields, found 3"}]
    (receipt,) = await running.fetch("SELECT * FROM income_imports")
    assert receipt["received_by"] == "U-OPERATOR"
    assert receipt["status"] == "partially_applied"
    assert json.loads(receipt["rejected"])[0]["line"] == 3
    r = await running.client.get(f"/api/v1/incomes/{person}/2025", headers=running.headers(CLERK))
    assert r.status_code == 200
    assert r.json()["salary_income"] == 2_000_000
    audits = await running.fetch(
        "SELECT operation FROM audit_log WHERE $1 = ANY(subject_addressee_numbers)", person
    )
    assert len(audits) == 2  # the import and the read


async def test_assess_explain_and_idempotency(running: Running) -> None:
    household, person = numbers()
    await known_household(running, household, person)
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "tax.csv", "content": f"{HEADER}\n{income_line(person, 2_000_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201, r.text
    headers = running.headers(CLERK, **{"Idempotency-Key": str(uuid.uuid4())})
    body = {"nhi_household_number": household, "fiscal_year": 2026}
    first = await running.client.post("/api/v1/assessments", json=body, headers=headers)
    assert first.status_code == 201, first.text
    # FY2026, base 2,000,000 − 430,000 = 1,570,000 (see the unit tests for the rates)
    # 医療 128,426 + 31,228 + 30,403 = 190,057 → 190,000; 支援 41,448 + 10,342 + 10,069 = 61,859
    # → 61,800; 介護 39,564 + 10,443 + 7,860 = 57,867 → 57,800; 子ども 4,239 + 1,128 + 1,044
    # = 6,411 → 6,400. Total 316,000
    assert first.json()["annual_amount"] == 316_000
    again = await running.client.post("/api/v1/assessments", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    unchanged = await running.client.post(
        "/api/v1/assessments", json=body, headers=running.headers(CLERK)
    )
    assert unchanged.status_code == 200
    assert unchanged.json()["revision"] == 1
    events = await running.fetch(
        "SELECT event_type FROM events WHERE stream_id = $1", f"premium-{household}-2026"
    )
    assert len(events) == 1
    shown = await running.client.get(
        f"/api/v1/households/{household}/assessments/2026", headers=running.headers(SUPERVISOR)
    )
    assert shown.status_code == 200
    medical = shown.json()["explanation"]["components"][0]
    income_line_ = next(x for x in medical["segments"][0]["lines"] if x["levy"] == "income_levy")
    assert income_line_["addressee_number"] == person
    assert income_line_["base"] == 1_570_000
    assert income_line_["rate"] == "0.0818"
    assert medical["segments"][0]["cap"] == 670_000
    assert [i["amount"] for i in shown.json()["instalments"]] == [0] * 5 + [63_200] * 5
    notice = await running.client.get(
        f"/api/v1/households/{household}/assessments/2026/notice",
        headers=running.headers(CLERK),
    )
    assert notice.status_code == 200
    assert notice.headers["content-type"] == "application/pdf"
    assert notice.content.startswith(b"%PDF")
    missing = await running.client.get(
        f"/api/v1/households/{household}/assessments/2025/notice",
        headers=running.headers(CLERK),
    )
    assert missing.status_code == 404


async def test_reduction_exemption_needs_a_second_person(running: Running) -> None:
    household, person = numbers()
    await known_household(running, household, person)
    await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": f"{HEADER}\n{income_line(person, 2_000_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers(CLERK),
    )
    assert r.status_code == 201
    r = await running.client.post(
        "/api/v1/reduction-exemptions",
        json={
            "nhi_household_number": household,
            "fiscal_year": 2026,
            "reason_code": "disaster",
            "reason": "house damaged by flood",
            "ratio_percent": 50,
        },
        headers=running.headers(CLERK, user="U-A"),
    )
    assert r.status_code == 201, r.text
    application = r.json()["application_id"]
    # C-04: an undeclared field is refused, naming it; C-24: no decision without a reason
    undeclared = await running.client.post(
        "/api/v1/reduction-exemptions",
        json={
            "nhi_household_number": household,
            "fiscal_year": 2026,
            "reason_code": "disaster",
            "reason": "flood",
            "ratio_percent": 50,
            "phone": "0820000000",
        },
        headers=running.headers(CLERK, user="U-A"),
    )
    assert undeclared.status_code == 422
    assert any(e["pointer"] == "/body/phone" for e in undeclared.json()["errors"])
    for body in (
        {"approve": True},
        {"approve": True, "reason": ""},
        {"approve": True, "reason": "  "},
    ):
        no_reason = await running.client.post(
            f"/api/v1/reduction-exemptions/{application}/decision",
            json=body,
            headers=running.headers(SUPERVISOR, user="U-B"),
        )
        assert no_reason.status_code == 422, no_reason.text
        assert [e["pointer"] for e in no_reason.json()["errors"]] == ["/body/reason"]
    # C-11: the clerk who entered it cannot decide it, even holding the supervisor role
    same = await running.client.post(
        f"/api/v1/reduction-exemptions/{application}/decision",
        json={"approve": True, "reason": "confirmed"},
        headers=running.headers(SUPERVISOR, CLERK, user="U-A"),
    )
    assert same.status_code == 403
    assert same.json()["type"].endswith("four-eyes-required")
    # none of the refused requests changed anything
    pending = await running.client.get(
        f"/api/v1/reduction-exemptions/{application}", headers=running.headers(SUPERVISOR)
    )
    assert pending.json()["status"] == "pending"
    assert (
        await running.fetch(
            "SELECT 1 FROM events WHERE stream_id = $1", f"reduction-exemption-{application}"
        )
        == []
    )
    ok = await running.client.post(
        f"/api/v1/reduction-exemptions/{application}/decision",
        json={"approve": True, "reason": "damage certificate seen"},
        headers=running.headers(SUPERVISOR, user="U-B"),
    )
    assert ok.status_code == 200, ok.text
    decided = ok.json()
    assert decided["status"] == "approved"
    assert decided["decided_by"] == "U-B"
    assert decided["entered_by"] == "U-A"
    assert decided["decision_reason"] == "damage certificate seen"  # C-24: recorded
    assert decided["assessment"]["revision"] == 2
    assert decided["assessment"]["reduction_exemption_amount"] == 158_000  # half of 316,000
    assert decided["assessment"]["annual_amount"] == 158_000
    # the decision event names both people (C-11) and the actor (C-24)
    (event,) = await running.fetch(
        "SELECT envelope::text AS envelope FROM events WHERE stream_id = $1",
        f"reduction-exemption-{application}",
    )
    data = json.loads(event["envelope"])["data"]
    assert (data["entered_by"], data["decided_by"], data["approved"]) == ("U-A", "U-B", True)
    again = await running.client.post(
        f"/api/v1/reduction-exemptions/{application}/decision",
        json={"approve": False, "reason": "x"},
        headers=running.headers(SUPERVISOR, user="U-C"),
    )
    assert again.status_code == 409


async def test_unknown_household_and_missing_year(running: Running) -> None:
    household, _ = numbers()
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2026},
        headers=running.headers(CLERK),
    )
    assert r.status_code == 404
    assert r.json()["type"].endswith("household-unknown")
    r = await running.client.post(
        "/api/v1/assessments",
        json={"nhi_household_number": household, "fiscal_year": 2027},
        headers=running.headers(CLERK),
    )
    assert r.status_code == 422
    assert r.json()["type"].endswith("parameters-missing")


async def test_roles_are_enforced(running: Running) -> None:
    r = await running.client.post(
        "/api/v1/reduction-exemptions/" + str(uuid.uuid4()) + "/decision",
        json={"approve": True, "reason": "x"},
        headers=running.headers(CLERK),
    )
    assert r.status_code == 403
    r = await running.client.get("/api/v1/incomes/1000000001/2025")
    assert r.status_code == 401


async def test_what_if_touches_no_data(running: Running) -> None:
    r = await running.client.post(
        "/api/v1/premium-calculations",
        json={
            "fiscal_year": 2025,
            "householder": "a",
            "people": [
                {
                    "label": "a",
                    "birth_date": "1980-05-05",
                    "income": {"salary_revenue": 3000000, "salary_income": 2000000},
                }
            ],
        },
        headers=running.headers(CLERK),
    )
    assert r.status_code == 200, r.text
    assert r.json()["annual_amount"] == 307_700  # the FY2025 plain case of the unit tests
    assert r.json()["special_collection"] is None
    r = await running.client.post(
        "/api/v1/premium-calculations",
        json={
            "fiscal_year": 2025,
            "householder": "a",
            "people": [
                {
                    "label": "a",
                    "birth_date": "1955-01-10",
                    "income": {"pension_revenue": 1680000, "pension_income": 580000},
                }
            ],
            "pension": {
                "annual_amount": 1680000,
                "ltc_special_collection": True,
                "ltc_premium": 70000,
                "previous_february": 7000,
            },
        },
        headers=running.headers(CLERK),
    )
    assert r.status_code == 200, r.text
    special = r.json()["special_collection"]
    # 40,700 (the 65+ 7割 case of the unit tests): 仮徴収 3 × 7,000, 本徴収 19,700 / 3
    assert r.json()["annual_amount"] == 40_700
    assert special["applies"] is True
    assert [d["amount"] for d in special["deductions"]] == [7_000] * 3 + [6_568, 6_566, 6_566]
    assert await running.fetch("SELECT * FROM assessments") == []


async def test_no_income_declaration_at_the_counter_re_assesses(running: Running) -> None:
    """無所得申立: an undeclared person gets no 7/5/2割; their declaration at the counter
    records no income for the year and corrects the assessment (7割 now applies)."""
    household, person = numbers()
    await known_household(running, household, person)
    undeclared = f"{person},2025,1980-05-05,0,0,0,0,0,0,0,0,0,unknown"
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": f"{HEADER}\n{undeclared}\n"},
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
    assert first["statutory_reduction"] == 0
    declaration = {
        "addressee_number": person,
        "income_year": 2025,
        "birth_date": "1980-05-05",
        "channel": "counter",
    }
    r = await running.client.post(
        "/api/v1/no-income-declarations", json=declaration, headers=running.headers(CLERK)
    )
    assert r.status_code == 201, r.text
    (again,) = r.json()["reassessed"]
    assert again["nhi_household_number"] == household
    assert again["changed"] is True
    assert again["revision"] == 2
    assert again["annual_amount"] < first["annual_amount"]
    r = await running.client.get(
        f"/api/v1/households/{household}/assessments/2026", headers=running.headers(CLERK)
    )
    assert r.json()["statutory_reduction"] == 7
    assert r.json()["cause"] == "income_change"
    (row,) = await running.fetch(
        "SELECT source, declaration_channel, declared FROM incomes WHERE addressee_number = $1",
        person,
    )
    assert tuple(row) == ("no_income_declaration", "counter", True)
    events = await running.fetch(
        "SELECT envelope::text AS e FROM events WHERE event_type = $1 AND stream_id LIKE $2"
        " ORDER BY version",
        "jp.kokuho.assessment.premium_assessed.v1",
        f"%{household}%",
    )
    assert [json.loads(e["e"])["data"]["kind"] for e in events] == ["assessment", "correction"]
    audits = await running.fetch(
        "SELECT 1 FROM audit_log WHERE $1 = ANY(subject_addressee_numbers)"
        " AND detail->>'channel' = 'counter'",
        person,
    )
    assert len(audits) == 1


async def test_no_income_declaration_cannot_replace_taxed_income(running: Running) -> None:
    household, person = numbers()
    await known_household(running, household, person)  # a subject (C-06)
    r = await running.client.post(
        "/api/v1/income-imports",
        json={"file_name": "t.csv", "content": f"{HEADER}\n{income_line(person, 2_000_000)}\n"},
        headers=running.headers("batch.operator"),
    )
    assert r.status_code == 201, r.text
    r = await running.client.post(
        "/api/v1/no-income-declarations",
        json={
            "addressee_number": person,
            "income_year": 2025,
            "birth_date": "1980-05-05",
            "channel": "counter",
        },
        headers=running.headers(CLERK),
    )
    assert r.status_code == 422
    assert r.json()["type"].endswith("income-already-declared")
    (row,) = await running.fetch(
        "SELECT source, salary_income FROM incomes WHERE addressee_number = $1", person
    )
    assert tuple(row) == ("tax_file", 2_000_000)


async def test_a_corrected_income_keeps_the_prior_value(running: Running) -> None:
    """C-24: a later tax file replaces the income; the replaced row stays in income_history
    with who replaced it. The same file again adds nothing."""
    household, person = numbers()
    await known_household(running, household, person)  # a subject (C-06)
    for user, salary in (("U-1", 2_000_000), ("U-2", 2_000_000), ("U-3", 3_000_000)):
        r = await running.client.post(
            "/api/v1/income-imports",
            json={"file_name": "t.csv", "content": f"{HEADER}\n{income_line(person, salary)}\n"},
            headers=running.headers("batch.operator", user=user),
        )
        assert r.status_code == 201, r.text
    r = await running.client.get(f"/api/v1/incomes/{person}/2025", headers=running.headers(CLERK))
    assert r.json()["salary_income"] == 3_000_000
    history = await running.fetch(
        "SELECT salary_income, updated_by, replaced_by FROM income_history"
        " WHERE addressee_number = $1",
        person,
    )
    assert [tuple(h) for h in history] == [(2_000_000, "U-2", "U-3")]
