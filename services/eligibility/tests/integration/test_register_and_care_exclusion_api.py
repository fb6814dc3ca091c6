"""Through the API on the real PostgreSQL and Kafka: the resident-register file (all or
nothing, refusals by line, never echoing an individual number), the lists by role and their
audit, closing an item; 介護保険適用除外 entered and confirmed by two clerks and published."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from kokuho.eligibility.config import Settings
from kokuho.events.individual_numbers import check_digit
from kokuho.events.runtime.connection import KafkaConnection

from .. import builders as b
from ..conftest import find_on_topic

pytestmark = pytest.mark.integration

Headers = Callable[..., dict[str, str]]
CLERK = "eligibility.clerk"
BATCH = "batch.operator"


def a_number() -> str:
    first = f"{random.randrange(10**10, 10**11)}"
    return first + str(check_digit(first))


async def insured(client: httpx.AsyncClient, token: Headers, head: str) -> str:
    r = await client.post(
        "/api/v1/households", json=b.move_in(head), headers=token("clerk-a", CLERK)
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/changes/{r.json()['change_id']}/confirm", headers=token("clerk-b", CLERK)
    )
    assert r.status_code == 200, r.text
    return str(r.json()["nhi_household_number"])


async def test_a_register_file_by_role_all_or_nothing_and_audited(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head, newcomer = b.addressee(), b.addressee()
    await insured(client, token, head)
    tag = uuid.uuid4().hex[:10]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    renamed = {
        "change_id": f"{tag}N",
        "kind": "name_changed",
        "addressee_number": head,
        "fact_date": yesterday,
        "notified_date": yesterday,
        "details": {"name": "改姓　太郎", "name_kana": "カイセイ　タロウ"},
    }
    moved_in = {
        "change_id": f"{tag}M",
        "kind": "moved_in",
        "addressee_number": newcomer,
        "fact_date": yesterday,
        "notified_date": yesterday,
        "details": {
            "name": "転入　花子",
            "name_kana": "テンニュウ　ハナコ",
            "sex": "female",
            "birth_date": "1990-02-02",
            "address": "広島市西区架空町4-4",
        },
    }
    number = a_number()
    bad = json.dumps({**moved_in, "change_id": f"{tag}X", "note": number}, ensure_ascii=False)
    content = "\n".join([json.dumps(renamed, ensure_ascii=False), bad])
    body = {"file_name": "register.jsonl", "content": content}

    r = await client.post("/api/v1/resident-register/files", json=body, headers=token("c", CLERK))
    assert r.status_code == 403  # a batch operator's work
    r = await client.post("/api/v1/resident-register/files", json=body, headers=token("op", BATCH))
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("register-file-rejected")
    assert [e["pointer"] for e in r.json()["errors"]] == ["/body/content/line/2"]
    assert number not in r.text
    r = await client.get(f"/api/v1/resident-register/changes/{tag}N", headers=token("c", CLERK))
    assert r.status_code == 404  # nothing was taken in

    good = "\n".join(json.dumps(x, ensure_ascii=False) for x in (renamed, moved_in))
    body = {"file_name": "register.jsonl", "content": good}
    r = await client.post("/api/v1/resident-register/files", json=body, headers=token("op", BATCH))
    assert r.status_code == 201, r.text
    assert r.json()["counts"] == {"pending-change": 1, "work-item": 1}
    r = await client.post("/api/v1/resident-register/files", json=body, headers=token("op", BATCH))
    assert r.json()["counts"] == {"duplicate": 2}

    # the name change waits for one clerk; the move in is on the work list
    r = await client.get(f"/api/v1/resident-register/changes/{tag}N", headers=token("c", CLERK))
    assert r.json()["change_status"] == "pending"
    r = await client.post(
        f"/api/v1/changes/{r.json()['change_id']}/confirm", headers=token("clerk-c", CLERK)
    )
    assert r.status_code == 200, r.text
    r = await client.get(f"/api/v1/persons/{head}", headers=token("c", CLERK))
    assert r.json()["details"]["name"] == "改姓　太郎"

    for role in ("auditor", BATCH, "assessment.clerk"):
        r = await client.get("/api/v1/resident-register/work-items", headers=token("x", role))
        assert r.status_code == 403
    r = await client.get(
        "/api/v1/resident-register/work-items?limit=200", headers=token("reader-r", CLERK)
    )
    assert r.status_code == 200
    (item,) = [i for i in r.json()["items"] if i["addressee_number"] == newcomer]
    assert item["due_date"] == (date.today() - timedelta(days=1) + timedelta(days=14)).isoformat()
    r = await client.post(
        f"/api/v1/resident-register/items/{item['item_id']}/close",
        json={"resolution": "not_joining"},
        headers=token("clerk-d", CLERK),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["closed_by"]) == ("closed", "clerk-d")
    again = await client.post(
        f"/api/v1/resident-register/items/{item['item_id']}/close",
        json={"resolution": "joined"},
        headers=token("clerk-d", CLERK),
    )
    assert again.status_code == 409
    r = await client.post("/api/v1/jobs/resident-register", headers=token("op", BATCH))
    assert r.status_code == 409  # no feed configured in these tests
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        read = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE user_id = 'reader-r'"
            " AND $1 = ANY(subject_addressee_numbers)",
            newcomer,
        )
        payload = await conn.fetchrow(
            "SELECT p.data FROM resident_register_items i"
            " JOIN personal_payloads p USING (payload_id) WHERE i.item_id = $1::uuid",
            item["item_id"],
        )
    finally:
        await conn.close()
    assert read == 1
    assert payload is not None  # the item kept the register's details until it was closed
    assert payload["data"] is None  # and forgot them then


async def test_care_exclusion_by_two_clerks_is_published(
    client: httpx.AsyncClient,
    token: Headers,
    eligibility_settings: Settings,
    kafka: KafkaConnection,
) -> None:
    head = b.addressee()
    household = await insured(client, token, head)
    start = (date.today() - timedelta(days=2)).isoformat()
    path = f"/api/v1/households/{household}/members/{head}/care-insurance-exclusion"
    body = {
        "facility_kind": "hansen_sanatorium",
        "facility_name": "架空療養所",
        "start_date": start,
    }
    r = await client.post(path, json={**body, "facility_kind": "hotel"}, headers=token("a", CLERK))
    assert r.status_code == 422
    r = await client.post(path, json=body, headers=token("clerk-a", CLERK))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending"
    self_confirmed = await client.post(
        f"/api/v1/changes/{r.json()['change_id']}/confirm", headers=token("clerk-a", CLERK)
    )
    assert self_confirmed.status_code == 403
    r = await client.post(
        f"/api/v1/changes/{r.json()['change_id']}/confirm", headers=token("clerk-b", CLERK)
    )
    assert r.status_code == 200, r.text
    r = await client.post(path, json=body, headers=token("clerk-a", CLERK))
    assert r.status_code == 422  # overlaps the open period (checked at entry)
    assert r.json()["type"].endswith("care-exclusion-overlaps")

    def recorded(key: bytes | None, value: object) -> bool:
        return (
            isinstance(value, dict)
            and value["type"].endswith("care_insurance_exclusion_recorded.v1")
            and value["data"]["addressee_number"] == head
        )

    _, value = await find_on_topic(kafka, eligibility_settings.events_topic, recorded)
    assert value is not None
    data = value["data"]
    assert (data["nhi_household_number"], data["facility_kind"], data["facility_name"]) == (
        household,
        "hansen_sanatorium",
        "架空療養所",
    )
    assert (data["start_date"], data["end_date"]) == (start, None)
