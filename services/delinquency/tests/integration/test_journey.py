"""The delinquency journey on real PostgreSQL and Kafka: collection's dunning notice opens a
case once its deadline passed unpaid; a call result, a negotiation with a promise, the broken
promise's task, a plan and a seizure are recorded; the proceeds are published for collection,
whose payment closes the case. Every write is audited and idempotent; nothing of the file but
the public facts reaches the topic."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from kokuho.events.contracts import collection as c
from kokuho.events.contracts import delinquency as d
from kokuho.events.testing.kafka import read_topic, topic_text
from kokuho.events.testing.waiting import eventually
from kokuho.platform import audit

from .conftest import OFFICER, SUPERVISOR, Running

HOUSEHOLD = "9940000001"


def charge(due: date, fiscal_year: int = 2026) -> c.ChargeSet:
    return c.ChargeSet(
        nhi_household_number=HOUSEHOLD, fiscal_year=fiscal_year, period=1, due_date=due,
        amount=30_000, previous_amount=0, cause="assessment", source_id="a1", revision=1,
        entered_by="system:assessment", effective_on=due,
    )  # fmt: skip


def notice(deadline: date, fiscal_year: int = 2026) -> c.DunningNoticeIssued:
    return c.DunningNoticeIssued(
        nhi_household_number=HOUSEHOLD, notice_id="n1", fiscal_year=fiscal_year, period=1,
        outstanding=30_000, fee=0, designated_deadline=deadline, effective_on=deadline,
    )  # fmt: skip


async def case_of(running: Running, user: str = "U-OFF", role: str = OFFICER) -> dict[str, Any]:
    response = await running.client.get(
        f"/api/v1/cases/{HOUSEHOLD}", headers=running.headers(user, role)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def post(
    running: Running,
    path: str,
    body: dict[str, Any],
    user: str = "U-OFF",
    role: str = OFFICER,
    key: str | None = None,
) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    return await running.client.post(
        f"/api/v1/cases/{HOUSEHOLD}{path}" if path.startswith("/") else f"/api/v1/{path}",
        json=body, headers=running.headers(user, role, **extra),
    )  # fmt: skip


async def review(running: Running, on: str) -> dict[str, Any]:
    response = await post(running, "jobs/review", {"run_on": on}, "U-SUP", SUPERVISOR)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def opened(running: Running, due: date = date(2026, 6, 30), fiscal_year: int = 2026) -> None:
    deadline = date(due.year, 7, 31)
    await running.collection_says(
        HOUSEHOLD, charge(due, fiscal_year), notice(deadline, fiscal_year)
    )

    async def watching() -> bool:
        rows = await running.fetch("SELECT status FROM case_views WHERE household = $1", HOUSEHOLD)
        return bool(rows) and rows[0]["status"] == "watching"

    await eventually(watching, what="the dunned instalment tracked")
    assert (await review(running, deadline.isoformat()))["changed"] == 0  # on the deadline
    assert (await review(running, date(due.year, 8, 1).isoformat()))["events"] == {"CaseOpened": 1}


async def test_the_journey_from_dunning_to_proceeds_and_closing(running: Running) -> None:
    await opened(running)
    call = {
        "officer_group": "お知らせセンター", "officer_division": "収納対策課",
        "counterparty": "self", "channel": "notification_center", "outcome": "promise",
        "summary": "本人: 8/2に納付すると約束",
        "contacted_on": "2026-08-01",
        "promise": {"kind": "payment", "promised_on": "2026-08-02", "amount": 10_000},
    }  # fmt: skip
    first = await post(running, "/negotiations", call, key="call-1")
    again = await post(running, "/negotiations", call, key="call-1")
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert first.json()["case"]["stage"] == "negotiation"

    assert (await review(running, "2026-08-02"))["changed"] == 0  # the promise's own day
    assert (await review(running, "2026-08-03"))["events"]["PromiseBroken"] == 1
    [task] = (await case_of(running))["tasks"]
    assert (task["kind"], task["due_on"]) == ("promise_broken", "2026-08-03")

    plan = {
        "instalments": [
            {"due_on": "2026-08-31", "amount": 15_000},
            {"due_on": "2026-09-30", "amount": 15_000},
        ],
        "pledge_received": True,
        "agreed_on": "2026-08-03",
    }
    assert (await post(running, "/plans", plan)).status_code == 201
    seized = await post(
        running,
        "/seizures",
        {"kind": "deposit", "description": "普通預金", "amount": 30_000, "seized_on": "2026-08-03"},
    )
    assert seized.status_code == 201, seized.text
    assert seized.json()["case"]["stage"] == "seizure"
    proceeds = await post(
        running,
        f"/seizures/{seized.json()['id']}/proceeds",
        {"amount": 30_000, "received_on": "2026-08-03"},
    )
    assert proceeds.status_code == 201, proceeds.text

    published = await read_topic(
        running.settings.kafka_connection(), running.settings.events_topic, expected=3
    )
    envelopes = [json.loads(r.value) for r in published]
    assert [e["type"] for e in envelopes] == [
        d.PrescriptionRenewed.event_type,  # the plan (承認)
        d.PrescriptionRenewed.event_type,  # the seizure
        d.ProceedsCollected.event_type,
    ]
    assert {r.key for r in published} == {HOUSEHOLD.encode()}
    assert envelopes[2]["data"] == {
        "nhi_household_number": HOUSEHOLD, "proceeds_id": proceeds.json()["id"],
        "seizure_id": seized.json()["id"], "amount": 30_000, "effective_on": "2026-08-03",
    }  # fmt: skip

    # collection takes the proceeds in as a payment (simulated here: collection's side)
    await running.collection_says(HOUSEHOLD, c.PaymentReceived(
        nhi_household_number=HOUSEHOLD, payment_id=proceeds.json()["id"], amount=30_000,
        channel="enforcement", fiscal_year=None, period=None,
        applied=[c.Applied(fiscal_year=2026, period=1, amount=30_000)], late_charge_applied=[],
        overpaid=0, reference="enforcement", received_on=date(2026, 8, 3), paid_on=date(2026, 8, 3),
    ))  # fmt: skip

    async def closed() -> dict[str, Any]:
        case = await case_of(running)
        assert case["status"] == "closed"
        return case

    case = await eventually(closed, what="the case closed by the payment")
    assert (case["outstanding"], case["plans"][0]["status"]) == (0, "completed")

    text = await topic_text(running.settings.kafka_connection(), running.settings.events_topic)
    for private in ("本人", "普通預金", "case_recorded", "お知らせセンター", "U-OFF"):
        assert private not in text

    conn = await audit_conn(running)
    try:
        records = await audit.accessed_by(conn, "U-OFF")
    finally:
        await conn.close()
    operations = [r.operation for r in records]
    assert operations.count("POST /api/v1/cases/{household}/negotiations") == 2  # the replay too
    writes = [r for r in records if r.operation.startswith("POST")]
    assert len(writes) == 5
    del writes[1]  # the replay, recorded by the platform's guard without the use case
    assert all(HOUSEHOLD in r.subjects for r in writes)


async def audit_conn(running: Running) -> Any:
    import asyncpg

    return await asyncpg.connect(running.settings.database_dsn)


async def test_refusals_are_problems_and_change_nothing(running: Running) -> None:
    await opened(running)
    before = await running.fetch("SELECT count(*) AS n FROM events")
    bad = await post(
        running,
        "/negotiations",
        {
            "officer_group": "G",
            "officer_division": "D",
            "counterparty": "self",
            "channel": "fax",
            "outcome": "reached",
            "summary": "x",
            "contacted_on": "2026-08-01",
        },
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert any(e["pointer"] == "/body/channel" for e in bad.json()["errors"]), bad.json()
    future = await post(
        running,
        "/plans",
        {
            "instalments": [{"due_on": "2026-09-01", "amount": 1}],
            "pledge_received": False,
            "agreed_on": "2026-08-04",
        },
    )
    assert (future.status_code, future.json()["type"]) == (
        422,
        "urn:kokuho:problem:date-in-the-future",
    )
    relief = await post(
        running,
        "/reliefs",
        {
            "kind": "enforcement_suspension",
            "ground": "no_property",
            "starts_on": "2026-08-03",
            "amount": 30_000,
            "reason": "財産なし",
        },
        user="U-SUP",
        role=SUPERVISOR,
    )
    assert relief.status_code == 201, relief.text
    relief_id = relief.json()["id"]
    mine = await post(
        running, f"/reliefs/{relief_id}/decision", {"approve": True}, user="u-sup", role=SUPERVISOR
    )
    assert (mine.status_code, mine.json()["type"]) == (
        403,
        "urn:kokuho:problem:same-person-decides",
    )
    officer = await post(running, f"/reliefs/{relief_id}/decision", {"approve": True})
    assert officer.status_code == 403  # an officer does not decide
    after = await running.fetch("SELECT count(*) AS n FROM events")
    assert after[0]["n"] == before[0]["n"] + 1  # only the relief request
    decided = await post(
        running, f"/reliefs/{relief_id}/decision", {"approve": True}, user="U-SUP2", role=SUPERVISOR
    )
    assert decided.json()["stage"] == "suspended"
    barred = await post(
        running,
        "/seizures",
        {"kind": "deposit", "description": "x", "amount": 1, "seized_on": "2026-08-03"},
    )
    assert (barred.status_code, barred.json()["type"]) == (
        422,
        "urn:kokuho:problem:enforcement-barred",
    )
    missing = await running.client.get(
        "/api/v1/cases/9940000099", headers=running.headers("U-OFF", OFFICER)
    )
    assert (missing.status_code, missing.json()["type"]) == (
        404,
        "urn:kokuho:problem:case-not-found",
    )
    assert (await running.client.get(f"/api/v1/cases/{HOUSEHOLD}")).status_code == 401
    auditor = await post(running, "/negotiations", {}, user="U-AUD", role="auditor")
    assert auditor.status_code == 403


async def test_a_household_a_year_behind_is_flagged_for_eligibility(running: Running) -> None:
    await opened(running, due=date(2025, 6, 30), fiscal_year=2025)
    notice_sent = await post(running, "/advance-notices", {"sent_on": "2026-07-01"})
    assert notice_sent.status_code == 200, notice_sent.text
    assert (await review(running, "2026-08-03"))["events"] == {"SpecialCareFlagged": 1}
    records = await read_topic(
        running.settings.kafka_connection(), running.settings.events_topic, expected=1
    )
    envelope = json.loads(records[0].value)
    assert envelope["type"] == d.SpecialCareFlagged.event_type
    assert envelope["data"] == {
        "nhi_household_number": HOUSEHOLD,
        "oldest_due_date": "2025-06-30",
        "effective_on": "2026-08-03",
    }
    stats = await running.client.get(
        "/api/v1/statistics", headers=running.headers("U-AUD", "auditor")
    )
    assert stats.status_code == 200
    assert {
        "dimension": "fiscal_year",
        "key": "2025",
        "cases": 1,
        "principal": 30_000,
        "paid": 0,
        "written_off": 0,
        "outstanding": 30_000,
        "rate_percent": "0.0",
    } in stats.json()
    csv = await running.client.get(
        "/api/v1/statistics.csv", headers=running.headers("U-AUD", "auditor")
    )
    assert (
        csv.text.splitlines()[0]
        == "dimension,key,cases,principal,paid,written_off,outstanding,rate_percent"
    )
