"""End to end on the real PostgreSQL and Kafka: counter request -> pending change -> second
clerk confirms -> QualificationAcquired on Kafka and in the read model (issue 3, Done when)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from kokuho.eligibility.config import Settings
from kokuho.events.contracts import Envelope, parse_data
from kokuho.events.contracts.eligibility import (
    PersonalDetailsRecorded,
    QualificationAcquired,
)
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import produce
from kokuho.platform.testing import eventually

from .. import builders as b
from ..conftest import find_on_topic

pytestmark = pytest.mark.integration

CLERK = "eligibility.clerk"
SUPERVISOR = "eligibility.supervisor"
Headers = Callable[..., dict[str, str]]


async def enter_move_in(
    client: httpx.AsyncClient, token: Headers, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert response.status_code == 201, response.text
    return response.json()


async def confirm(
    client: httpx.AsyncClient, token: Headers, change_id: str, user: str = "clerk-b"
) -> httpx.Response:
    return await client.post(f"/api/v1/changes/{change_id}/confirm", headers=token(user, CLERK))


async def test_move_in_publishes_qualification_acquired_and_updates_the_read_model(
    client: httpx.AsyncClient, token: Headers, eligibility_settings: Settings
) -> None:
    head, child = b.addressee(), b.addressee()
    change = await enter_move_in(client, token, b.move_in(head, child))
    assert change["status"] == "pending"
    assert {e["type"] for e in change["events"]} >= {QualificationAcquired.event_type}

    # Not in effect before the second clerk confirms (C-11).
    pending = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-b", CLERK))
    assert pending.status_code == 404

    response = await confirm(client, token, change["change_id"])
    assert response.status_code == 200, response.text
    confirmed = response.json()
    assert confirmed["status"] == "confirmed"
    assert confirmed["confirmed_by"] == "clerk-b"
    acquired = [e for e in confirmed["events"] if e["type"] == QualificationAcquired.event_type]
    assert {e["data"]["addressee_number"] for e in acquired} == {head, child}
    assert all(e["data"]["entered_by"] == "clerk-a" for e in acquired)
    household = confirmed["nhi_household_number"]

    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-b", CLERK))
    assert person.status_code == 200
    body = person.json()
    (period,) = body["qualifications"]
    assert period["nhi_household_number"] == household
    assert period["acquisition_reason"] == "moved_in"
    assert period["loss_date"] is None
    assert body["details"]["name"] == "試験　太郎"
    assert "individual_number" not in person.text

    bootstrap = eligibility_settings.kafka_connection()  # its own user reads its topic

    def is_head_acquired(key: bytes | None, value: dict[str, Any] | None) -> bool:
        return (
            value is not None
            and value["type"] == QualificationAcquired.event_type
            and value["data"]["addressee_number"] == head
        )

    key, value = await find_on_topic(bootstrap, eligibility_settings.events_topic, is_head_acquired)
    assert key == household.encode()
    assert value is not None
    envelope = Envelope.model_validate(value)
    event = parse_data(envelope.type, envelope.data)
    assert isinstance(event, QualificationAcquired)
    assert event.nhi_household_number == household
    assert event.confirmed_by == "clerk-b"
    assert "name" not in envelope.data
    assert "address" not in envelope.data

    _, details = await find_on_topic(
        bootstrap, eligibility_settings.personal_details_topic, lambda k, v: k == head.encode()
    )
    assert details is not None
    recorded = parse_data(details["type"], details["data"])
    assert isinstance(recorded, PersonalDetailsRecorded)
    assert recorded.address == "広島市中区基町1丁目1-1"


async def test_the_same_idempotency_key_twice_changes_nothing(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    body = b.move_in(head)
    headers = token("clerk-a", CLERK, **{"Idempotency-Key": f"move-in-{head}"})
    first = await client.post("/api/v1/households", json=body, headers=headers)
    second = await client.post("/api/v1/households", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        count = await conn.fetchval("SELECT count(*) FROM changes WHERE $1 = ANY(subjects)", head)
        events = await conn.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1",
            f"change-{first.json()['change_id']}",
        )
    finally:
        await conn.close()
    assert count == 1
    assert events == 1

    confirm_headers = token("clerk-b", CLERK, **{"Idempotency-Key": f"confirm-{head}"})
    url = f"/api/v1/changes/{first.json()['change_id']}/confirm"
    once = await client.post(url, headers=confirm_headers)
    again = await client.post(url, headers=confirm_headers)
    assert once.status_code == again.status_code == 200
    assert once.json() == again.json()
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        acquired = await conn.fetchval(
            "SELECT count(*) FROM qualification_periods WHERE addressee_number = $1", head
        )
    finally:
        await conn.close()
    assert acquired == 1
    # Without the key, a repeat is refused by the rules instead: the change is no longer pending.
    repeat = await client.post(url, headers=token("clerk-b", CLERK))
    assert repeat.status_code == 409
    assert repeat.headers["content-type"].startswith("application/problem+json")


async def test_confirmation_by_the_entering_clerk_is_refused(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    response = await confirm(client, token, change["change_id"], user="clerk-a")
    assert response.status_code == 403
    problem = response.json()
    assert problem["type"].endswith("self-confirmation-refused")
    state = await client.get(
        f"/api/v1/changes/{change['change_id']}", headers=token("clerk-b", CLERK)
    )
    assert state.json()["status"] == "pending"
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        periods = await conn.fetchval(
            "SELECT count(*) FROM qualification_periods WHERE addressee_number = $1", head
        )
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE user_id = 'clerk-a' AND status_code = 403"
            " AND operation LIKE '%confirm%'"
        )
    finally:
        await conn.close()
    assert periods == 0
    assert audited >= 1


async def test_a_request_without_the_role_is_refused_and_audited(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    response = await client.post(
        "/api/v1/households", json=b.move_in(head), headers=token("assessor-x", "assessment.clerk")
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    read = await client.get(
        f"/api/v1/persons/{head}", headers=token("assessor-x", "assessment.clerk")
    )
    assert read.status_code == 403
    anonymous = await client.get(f"/api/v1/persons/{head}")
    assert anonymous.status_code == 401
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        rows = await conn.fetch(
            "SELECT outcome, status_code, subject_addressee_numbers FROM audit_log"
            " WHERE user_id = 'assessor-x' ORDER BY seq"
        )
        changes = await conn.fetchval("SELECT count(*) FROM changes WHERE $1 = ANY(subjects)", head)
    finally:
        await conn.close()
    assert [(r["outcome"], r["status_code"]) for r in rows][-2:] == [("denied", 403)] * 2
    assert head in rows[-1]["subject_addressee_numbers"]  # the read names whose data it sought
    assert changes == 0


async def test_every_read_of_a_person_is_audited(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    await confirm(client, token, change["change_id"])
    await client.get(f"/api/v1/persons/{head}", headers=token("reader-1", CLERK))
    await client.get(
        f"/api/v1/households/{change['nhi_household_number']}", headers=token("reader-1", CLERK)
    )
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        rows = await conn.fetch(
            "SELECT operation FROM audit_log WHERE user_id = 'reader-1'"
            " AND $1 = ANY(subject_addressee_numbers)",
            head,
        )
    finally:
        await conn.close()
    assert len(rows) == 2


async def test_loss_household_as_of_and_history(client: httpx.AsyncClient, token: Headers) -> None:
    head, child = b.addressee(), b.addressee()
    fact = date.today() - timedelta(days=40)
    change = await enter_move_in(client, token, b.move_in(head, child, fact=fact))
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    moved_out = date.today() - timedelta(days=10)
    loss = {
        "addressee_number": child,
        "reason": "moved_out",
        "fact_date": moved_out.isoformat(),
        "notification_date": date.today().isoformat(),
        "identity_verification": b.ID,
    }
    entered = await client.post(
        f"/api/v1/households/{household}/losses", json=loss, headers=token("clerk-a", CLERK)
    )
    assert entered.status_code == 201, entered.text
    done = await confirm(client, token, entered.json()["change_id"])
    lost = [e for e in done.json()["events"] if e["type"].endswith("qualification_lost.v1")]
    assert lost[0]["data"]["loss_date"] == (moved_out + timedelta(days=1)).isoformat()

    now = await client.get(f"/api/v1/households/{household}", headers=token("clerk-a", CLERK))
    assert [m["addressee_number"] for m in now.json()["members"]] == [head]
    before = await client.get(
        f"/api/v1/households/{household}",
        params={"as_of": (moved_out - timedelta(days=1)).isoformat()},
        headers=token("clerk-a", CLERK),
    )
    assert [m["addressee_number"] for m in before.json()["members"]] == [head, child]
    history = await client.get(
        f"/api/v1/households/{household}/history", headers=token("auditor-1", "auditor")
    )
    types = [h["type"].split(".")[3] for h in history.json()]
    assert types[0] == "household_registered"
    assert "qualification_lost" in types

    twice = await client.post(
        f"/api/v1/households/{household}/losses", json=loss, headers=token("clerk-a", CLERK)
    )
    assert twice.status_code == 422
    assert twice.json()["type"].endswith("qualification-not-held")


async def test_acquiring_twice_across_households_is_refused(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    await confirm(client, token, change["change_id"])
    again = await client.post(
        "/api/v1/households", json=b.move_in(head), headers=token("clerk-a", CLERK)
    )
    assert again.status_code == 422
    assert again.json()["type"].endswith("qualification-already-held")


async def test_bad_input_names_the_field(client: httpx.AsyncClient, token: Headers) -> None:
    body = b.move_in(b.addressee())
    body["members"][0]["fact_date"] = "2026-02-30"
    body["unexpected"] = 1
    response = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert "/body/members/0/fact_date" in pointers
    assert "/body/unexpected" in pointers


async def test_certificate_issue_and_japanese_pdf(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    issued = await client.post(
        f"/api/v1/households/{household}/certificates",
        json={
            "kind": "eligibility_confirmation_document",
            "addressee_number": head,
            "issue_date": date.today().isoformat(),
        },
        headers=token("clerk-a", CLERK),
    )
    assert issued.status_code == 201, issued.text
    (event,) = [e for e in issued.json()["events"] if e["type"].endswith("certificate_issued.v1")]
    certificate_id = event["data"]["certificate_id"]
    pdf = await client.get(
        f"/api/v1/certificates/{certificate_id}/pdf", headers=token("clerk-a", CLERK)
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"+IPAmjMincho" in pdf.content  # the names' font, an embedded subset (ADR 0008)
    collected = await client.post(
        f"/api/v1/households/{household}/certificates/{certificate_id}/collect",
        json={"collected_date": date.today().isoformat(), "reason": "returned"},
        headers=token("clerk-a", CLERK),
    )
    assert collected.status_code == 200, collected.text


async def test_turning_75_job_ends_nhi_on_the_birthday(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    today = date.today()
    try:
        birth = today.replace(year=today.year - 75) - timedelta(days=2)
    except ValueError:  # 29 February
        birth = date(today.year - 75, 2, 28) - timedelta(days=2)
    fact = today - timedelta(days=30)
    body = b.move_in(head, fact=fact)
    body["members"][0]["details"]["birth_date"] = birth.isoformat()
    change = await enter_move_in(client, token, body)
    await confirm(client, token, change["change_id"])
    refused = await client.post(
        "/api/v1/jobs/turning-75",
        json={"as_of": today.isoformat()},
        headers=token("clerk-a", CLERK),
    )
    assert refused.status_code == 403
    run = await client.post(
        "/api/v1/jobs/turning-75",
        json={"as_of": today.isoformat()},
        headers=token("batch-1", "batch.operator"),
    )
    assert run.status_code == 200, run.text
    assert run.json()["processed"] >= 1
    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-a", CLERK))
    (period,) = person.json()["qualifications"]
    assert period["loss_reason"] == "turned_75"
    assert period["loss_date"] == (birth.replace(year=birth.year + 75)).isoformat()
    # A second run finds nothing left to do for this person (the job needs no Idempotency-Key).
    again = await client.post(
        "/api/v1/jobs/turning-75",
        json={"as_of": today.isoformat()},
        headers=token("batch-1", "batch.operator"),
    )
    assert again.status_code == 200, again.text
    assert head not in {f["addressee_number"] for f in again.json()["failed"]}
    after = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-a", CLERK))
    assert after.json()["qualifications"] == person.json()["qualifications"]


async def test_split_then_merge_households(client: httpx.AsyncClient, token: Headers) -> None:
    head, child, grandchild = b.addressee(), b.addressee(), b.addressee()
    fact = date.today() - timedelta(days=60)
    change = await enter_move_in(client, token, b.move_in(head, child, grandchild, fact=fact))
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    split_day = date.today() - timedelta(days=5)
    entered = await client.post(
        f"/api/v1/households/{household}/split",
        json={
            "members": [child, grandchild],
            "new_householder_addressee_number": child,
            "fact_date": split_day.isoformat(),
            "notification_date": date.today().isoformat(),
            "identity_verification": b.ID,
        },
        headers=token("clerk-a", CLERK),
    )
    assert entered.status_code == 201, entered.text
    done = await confirm(client, token, entered.json()["change_id"])
    assert done.status_code == 200, done.text
    registered = [e for e in done.json()["events"] if e["type"].endswith("household_registered.v1")]
    new_household = registered[0]["data"]["nhi_household_number"]
    assert new_household != household

    old = await client.get(f"/api/v1/households/{household}", headers=token("clerk-a", CLERK))
    assert [m["addressee_number"] for m in old.json()["members"]] == [head]
    new = await client.get(f"/api/v1/households/{new_household}", headers=token("clerk-a", CLERK))
    assert [m["addressee_number"] for m in new.json()["members"]] == [child, grandchild]
    assert new.json()["householder_addressee_number"] == child
    before = await client.get(
        f"/api/v1/households/{household}",
        params={"as_of": (split_day - timedelta(days=1)).isoformat()},
        headers=token("clerk-a", CLERK),
    )
    assert len(before.json()["members"]) == 3

    merge = await client.post(
        f"/api/v1/households/{new_household}/merge",
        json={
            "into_household_number": household,
            "fact_date": date.today().isoformat(),
            "notification_date": date.today().isoformat(),
            "identity_verification": b.ID,
        },
        headers=token("clerk-b", CLERK),
    )
    assert merge.status_code == 201, merge.text
    merged = await confirm(client, token, merge.json()["change_id"], user="clerk-a")
    assert merged.status_code == 200, merged.text
    back = await client.get(f"/api/v1/households/{household}", headers=token("clerk-a", CLERK))
    assert sorted(m["addressee_number"] for m in back.json()["members"]) == sorted(
        [head, child, grandchild]
    )
    gone = await client.get(f"/api/v1/households/{new_household}", headers=token("clerk-a", CLERK))
    assert gone.json()["dissolved"] is True
    assert gone.json()["members"] == []


async def test_erasure_needs_a_supervisor_and_an_ended_retention(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    await confirm(client, token, change["change_id"])
    url = f"/api/v1/persons/{head}/erasure"
    as_clerk = await client.post(url, json={"reason": "retention"}, headers=token("c", CLERK))
    assert as_clerk.status_code == 403
    insured = await client.post(
        url, json={"reason": "retention"}, headers=token("sv-1", "eligibility.supervisor")
    )
    assert insured.status_code == 422
    assert insured.json()["type"].endswith("person-still-insured")
    person = await client.get(f"/api/v1/persons/{head}", headers=token("c", CLERK))
    assert person.json()["details"] is not None


async def test_erasing_a_deemed_householder_takes_a_reason_and_a_second_supervisor(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    """Issue 9: a deemed householder (never insured, so no retention runs) was erased at once
    by one supervisor; now it waits for another, keeps the reason, and never while the
    household has insured members."""
    head, child = b.addressee(), b.addressee()
    body = b.move_in(child)
    body["householder_addressee_number"] = head
    body["members"][0]["relationship"] = "child"
    body["householder_details"] = b.details(date(1950, 5, 5), name="試験　擬制")
    change = await enter_move_in(client, token, body)
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    sv1, sv2 = token("sv-1", SUPERVISOR), token("sv-2", SUPERVISOR)
    url = f"/api/v1/persons/{head}/erasure"
    heads = await client.post(url, json={"reason": "moved away"}, headers=sv1)
    assert heads.status_code == 422, heads.text
    assert heads.json()["type"].endswith("person-heads-a-household")
    no_reason = await client.post(url, json={"reason": ""}, headers=sv1)
    assert no_reason.status_code == 422
    assert "/body/reason" in str(no_reason.json()["errors"])
    loss = {
        "addressee_number": child,
        "reason": "moved_out",
        "fact_date": (date.today() - timedelta(days=1)).isoformat(),
        "notification_date": date.today().isoformat(),
        "identity_verification": b.ID,
    }
    entered = await client.post(
        f"/api/v1/households/{household}/losses", json=loss, headers=token("clerk-a", CLERK)
    )
    await confirm(client, token, entered.json()["change_id"])
    basis = await client.post(
        f"/api/v1/persons/{head}/certificate-basis",
        json={"dv_support": True},
        headers=token("clerk-a", CLERK),
    )
    assert basis.status_code == 200, basis.text
    requested = await client.post(url, json={"reason": "moved away"}, headers=sv1)
    assert requested.status_code == 202, requested.text
    assert requested.json()["status"] == "pending"
    assert requested.json()["erased"] is False
    for same in (sv1, token("SV-1", SUPERVISOR)):
        refused = await client.post(f"{url}/confirmation", headers=same)
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("self-confirmation-refused")
    still = await client.get(f"/api/v1/persons/{head}", headers=token("c", CLERK))
    assert still.json()["details"] is not None
    done = await client.post(f"{url}/confirmation", headers=sv2)
    assert done.status_code == 200, done.text
    assert done.json() | {"request_id": None} == {
        "addressee_number": head,
        "request_id": None,
        "status": "confirmed",
        "requested_by": "sv-1",
        "decided_by": "sv-2",
        "erased": True,
    }
    gone = await client.get(f"/api/v1/persons/{head}", headers=token("c", CLERK))
    # never insured and now without details: nothing of the person is left to show
    assert gone.status_code == 404, gone.text
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        dv = await conn.fetchval(
            "SELECT count(*) FROM certificate_bases WHERE addressee_number = $1", head
        )
    finally:
        await conn.close()
    assert dv == 0  # the DV-support flag went with the person
    nothing = await client.post(f"{url}/confirmation", headers=sv2)
    assert nothing.status_code == 409
    assert nothing.json()["type"].endswith("no-erasure-requested")


async def test_householder_change_and_the_householder_as_of_a_date(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head, spouse = b.addressee(), b.addressee()
    fact = date.today() - timedelta(days=50)
    body = b.move_in(head, fact=fact)
    body["members"].append(b.member(spouse, relationship="spouse", fact=fact))
    change = await enter_move_in(client, token, body)
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    changed_on = date.today() - timedelta(days=20)
    entered = await client.post(
        f"/api/v1/households/{household}/householder",
        json={
            "householder_addressee_number": spouse,
            "fact_date": changed_on.isoformat(),
            "notification_date": date.today().isoformat(),
            "previous_householder_relationship": "spouse",
            "identity_verification": b.ID,
        },
        headers=token("clerk-a", CLERK),
    )
    assert entered.status_code == 201, entered.text
    done = await confirm(client, token, entered.json()["change_id"])
    (event,) = [e for e in done.json()["events"] if e["type"].endswith("householder_changed.v1")]
    assert event["data"]["late_notification"] is True  # 20 days after the change
    now = await client.get(f"/api/v1/households/{household}", headers=token("clerk-a", CLERK))
    assert now.json()["householder_addressee_number"] == spouse
    before = await client.get(
        f"/api/v1/households/{household}",
        params={"as_of": (changed_on - timedelta(days=1)).isoformat()},
        headers=token("clerk-a", CLERK),
    )
    assert before.json()["householder_addressee_number"] == head


async def test_a_federation_difference_from_linkage_gateway_arrives_as_a_pending_correction(
    client: httpx.AsyncClient,
    token: Headers,
    eligibility_settings: Settings,
    eligibility_dsn: str,
    kafka: KafkaConnection,
) -> None:
    head = b.addressee()
    fact = date.today() - timedelta(days=30)
    change = await enter_move_in(client, token, b.move_in(head, fact=fact))
    confirmed = await confirm(client, token, change["change_id"])
    (acquired,) = [
        e for e in confirmed.json()["events"] if e["type"] == QualificationAcquired.event_type
    ]
    federation_date = fact - timedelta(days=3)
    data = {
        "addressee_number": head,
        "insured_number": acquired["data"]["insured_number"],
        "kind": "acquisition-date",
        "federation_acquisition_date": federation_date.isoformat(),
        "federation_loss_date": None,
        "file_date": date.today().isoformat(),
        "confirmed_by": "lg-staff-1",
    }
    await publish_difference(kafka, eligibility_settings, head, data)
    row = await wait_for_review(eligibility_dsn, head)
    change_id = row["change_id"]
    assert change_id is not None, "the federation difference did not become a change"
    done = await confirm(client, token, str(change_id))
    assert done.status_code == 200, done.text
    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-b", CLERK))
    assert person.json()["qualifications"][0]["acquisition_date"] == federation_date.isoformat()


async def publish_difference(
    kafka: KafkaConnection, settings: Settings, head: str, data: dict[str, Any]
) -> None:
    envelope = Envelope(
        id=uuid4(),
        source="/kokuho/linkage-gateway",
        type="jp.kokuho.linkage_gateway.federation_difference_confirmed.v1",
        time=datetime.now(UTC),
        subject=head,
        data=data,
        partitionkey=head,
    )
    assert settings.linkage_topic is not None
    await produce(
        kafka,
        settings.linkage_topic,
        [(head.encode(), envelope.to_json_bytes())],
    )


async def wait_for_review(dsn: str, head: str) -> asyncpg.Record:
    async def review() -> asyncpg.Record | None:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetchrow(
                "SELECT change_id, kind FROM federation_reviews WHERE addressee_number = $1", head
            )
        finally:
            await conn.close()

    return await eventually(review, 30, what="the federation difference taken up")


async def test_a_person_unknown_here_is_listed_for_review(
    client: httpx.AsyncClient,
    token: Headers,
    eligibility_settings: Settings,
    eligibility_dsn: str,
    kafka: KafkaConnection,
) -> None:
    stranger = b.addressee()
    data = {
        "addressee_number": stranger,
        "insured_number": "39999999",
        "kind": "unknown-to-us",
        "federation_acquisition_date": "2026-04-01",
        "federation_loss_date": None,
        "file_date": date.today().isoformat(),
        "confirmed_by": "lg-staff-1",
    }
    await publish_difference(kafka, eligibility_settings, stranger, data)
    row = await wait_for_review(eligibility_dsn, stranger)
    assert row["change_id"] is None
    listed = await client.get(
        "/api/v1/federation-reviews", params={"limit": 200}, headers=token("clerk-a", CLERK)
    )
    assert listed.status_code == 200
    assert stranger in {i["addressee_number"] for i in listed.json()["items"]}


async def test_residence_exception_moves_the_member_to_a_household_of_their_own(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head, mother = b.addressee(), b.addressee()
    fact = date.today() - timedelta(days=90)
    body = b.move_in(head, fact=fact)
    body["members"].append(
        b.member(mother, relationship="parent", fact=fact, birth=date(1955, 2, 2))
    )
    change = await enter_move_in(client, token, body)
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    moved_on = date.today() - timedelta(days=7)
    entered = await client.post(
        f"/api/v1/households/{household}/members/{mother}/residence-exception",
        json={
            "facility_kind": "elderly_home",
            "facility_name": "架空ホーム",
            "facility_address": "東京都架空区1-1",
            "fact_date": moved_on.isoformat(),
            "notification_date": date.today().isoformat(),
            "identity_verification": b.ID,
        },
        headers=token("clerk-a", CLERK),
    )
    assert entered.status_code == 201, entered.text
    done = await confirm(client, token, entered.json()["change_id"])
    assert done.status_code == 200, done.text
    types = [e["type"].split(".")[3] for e in done.json()["events"]]
    assert "household_split" in types
    assert "special_case_started" in types
    assert "qualification_lost" not in types  # the qualification continues
    person = await client.get(f"/api/v1/persons/{mother}", headers=token("clerk-a", CLERK))
    (case,) = person.json()["special_cases"]
    assert case["kind"] == "residence_exception"
    assert case["facility_name"] == "架空ホーム"
    own = case["nhi_household_number"]
    assert own != household
    alone = await client.get(f"/api/v1/households/{own}", headers=token("clerk-a", CLERK))
    assert alone.json()["householder_addressee_number"] == mother
    assert [m["addressee_number"] for m in alone.json()["members"]] == [mother]


async def test_copayment_rate_job_gives_70_to_74_members_the_default_rate_once(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    today = date.today()
    birth = date(today.year - 72, 3, 3)
    body = b.move_in(head, fact=today - timedelta(days=10))
    body["members"][0]["details"]["birth_date"] = birth.isoformat()
    change = await enter_move_in(client, token, body)
    await confirm(client, token, change["change_id"])
    batch = token("batch-1", "batch.operator")
    first = await client.post(
        "/api/v1/jobs/copayment-rates", json={"as_of": today.isoformat()}, headers=batch
    )
    assert first.status_code == 200, first.text
    assert first.json()["processed"] >= 1
    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-a", CLERK))
    (period,) = person.json()["qualifications"]
    year = today.year if today.month >= 8 else today.year - 1
    assert period["copayment_until"] == date(year + 1, 7, 31).isoformat()
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        rates = await conn.fetchval(
            "SELECT count(*) FROM events WHERE event_type LIKE '%copayment_rate_determined%'"
            " AND envelope->'data'->>'addressee_number' = $1",
            head,
        )
    finally:
        await conn.close()
    assert rates == 1
    again = await client.post(
        "/api/v1/jobs/copayment-rates", json={"as_of": today.isoformat()}, headers=batch
    )
    assert again.status_code == 200
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        rates_after = await conn.fetchval(
            "SELECT count(*) FROM events WHERE event_type LIKE '%copayment_rate_determined%'"
            " AND envelope->'data'->>'addressee_number' = $1",
            head,
        )
    finally:
        await conn.close()
    assert rates_after == 1
