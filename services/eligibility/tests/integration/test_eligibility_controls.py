"""The controls issue 3 names, through the API on the real PostgreSQL (controls.md "Test:" lines):
C-10 identity verification at intake, C-24 ex officio corrections with a reason and the prior
value kept, C-18 no individual number on search, and bad text that PostgreSQL cannot store
refused as 422 before anything is written."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.eligibility.app.ports import JST
from kokuho.eligibility.config import Settings
from kokuho.events.contracts import parse_data
from kokuho.events.contracts.eligibility import RetireeStatusRecorded

from .. import builders as b
from ..conftest import find_on_topic

pytestmark = pytest.mark.integration

CLERK = "eligibility.clerk"
Headers = Callable[..., dict[str, str]]


async def registered(client: httpx.AsyncClient, token: Headers, head: str, **kw: Any) -> str:
    entered = await client.post(
        "/api/v1/households", json=b.move_in(head, **kw), headers=token("clerk-a", CLERK)
    )
    assert entered.status_code == 201, entered.text
    confirmed = await client.post(
        f"/api/v1/changes/{entered.json()['change_id']}/confirm", headers=token("clerk-b", CLERK)
    )
    assert confirmed.status_code == 200, confirmed.text
    household: str = confirmed.json()["nhi_household_number"]
    return household


async def count_changes(dsn: str, addressee_number: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM changes WHERE $1 = ANY(subjects)", addressee_number
        )
    finally:
        await conn.close()
    return count


def pointers(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["pointer"] for e in response.json()["errors"]}


# --- C-10 --------------------------------------------------------------------------------------


async def test_an_intake_without_an_identity_method_is_refused(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    body = b.move_in(head)
    body["identity_verification"] = {"proxy": False}
    response = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert "/body/identity_verification/method" in pointers(response)
    del body["identity_verification"]
    response = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert "/body/identity_verification" in pointers(response)
    assert await count_changes(eligibility_dsn, head) == 0


async def test_a_proxy_without_a_checked_power_of_attorney_is_refused(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    body = b.move_in(head)
    body["identity_verification"] = {"method": "mn_card", "proxy": True}
    response = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert "/body/identity_verification" in pointers(response)
    assert "power_of_attorney_checked" in response.text
    assert await count_changes(eligibility_dsn, head) == 0

    # With the power of attorney checked the intake is taken, and the change keeps how the
    # person was identified.
    body["identity_verification"] = {
        "method": "mn_card",
        "proxy": True,
        "power_of_attorney_checked": True,
    }
    taken = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert taken.status_code == 201, taken.text
    change = await client.get(
        f"/api/v1/changes/{taken.json()['change_id']}", headers=token("clerk-b", CLERK)
    )
    assert change.json()["identity_method"] == "mn_card"
    assert change.json()["by_proxy"] is True


# --- C-24 --------------------------------------------------------------------------------------


async def test_a_correction_without_a_reason_is_refused(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    household = await registered(client, token, head)
    url = f"/api/v1/households/{household}/members/{head}/corrections"
    body = {
        "acquisition_date": (date.today() - timedelta(days=30)).isoformat(),
        "acquisition_reason": "moved_in",
        "reason_code": "R01",
    }
    assert "/body/reason" in pointers(
        await client.post(url, json=body, headers=token("clerk-a", CLERK))
    )
    # A blank reason is no reason either: the rule refuses it by name.
    blank = await client.post(url, json={**body, "reason": "   "}, headers=token("clerk-a", CLERK))
    assert blank.status_code == 422, blank.text
    assert blank.headers["content-type"].startswith("application/problem+json")
    assert await count_changes(eligibility_dsn, head) == 1  # only the registration


async def test_a_correction_names_its_actors_and_the_prior_value_stays_in_history(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    fact = date.today() - timedelta(days=3)
    household = await registered(client, token, head, fact=fact)
    corrected_date = fact - timedelta(days=20)
    entered = await client.post(
        f"/api/v1/households/{household}/members/{head}/corrections",
        json={
            "acquisition_date": corrected_date.isoformat(),
            "acquisition_reason": "moved_in",
            "reason_code": "R01",
            "reason": "転入日の入力誤り（住民票で確認）",
        },
        headers=token("clerk-c", CLERK),
    )
    assert entered.status_code == 201, entered.text
    done = await client.post(
        f"/api/v1/changes/{entered.json()['change_id']}/confirm", headers=token("clerk-d", CLERK)
    )
    assert done.status_code == 200, done.text

    history = await client.get(
        f"/api/v1/households/{household}/history", headers=token("auditor-1", "auditor")
    )
    by_type = {h["type"].split(".")[3]: h["data"] for h in history.json()}
    acquired, corrected = by_type["qualification_acquired"], by_type["qualification_corrected"]
    assert acquired["acquisition_date"] == fact.isoformat()  # the prior value stays
    assert corrected["acquisition_date"] == corrected_date.isoformat()
    assert corrected["correction_reason_code"] == "R01"
    assert (corrected["entered_by"], corrected["confirmed_by"]) == ("clerk-c", "clerk-d")
    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-a", CLERK))
    (period,) = person.json()["qualifications"]
    assert period["acquisition_date"] == corrected_date.isoformat()


# --- C-18 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "roles",
    [
        ("eligibility.clerk",),
        ("eligibility.supervisor",),
        ("auditor",),
        ("batch.operator",),
        ("eligibility.clerk", "eligibility.supervisor", "auditor", "batch.operator"),
    ],
)
async def test_search_never_shows_an_individual_number(
    client: httpx.AsyncClient, token: Headers, roles: tuple[str, ...]
) -> None:
    head = b.addressee()
    await registered(client, token, head)
    found = await client.get(
        "/api/v1/persons", params={"name_kana": "シケン", "limit": 200}, headers=token("s", *roles)
    )
    if not set(roles) & {"eligibility.clerk", "eligibility.supervisor"}:
        assert found.status_code == 403
        return
    assert found.status_code == 200, found.text
    assert found.json()["items"], "the search found nobody: the check below would prove nothing"
    assert all(i["name_kana"].startswith("シケン") for i in found.json()["items"])
    assert "individual_number" not in found.text
    assert "my_number" not in found.text


async def test_a_kana_search_takes_only_kana_so_like_wildcards_list_nobody(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    await registered(client, token, head)
    for wildcard in ("%", "_", "シ%", "シケン_"):
        found = await client.get(
            "/api/v1/persons", params={"name_kana": wildcard}, headers=token("s", CLERK)
        )
        assert "/query/name_kana" in pointers(found)
    kana = await client.get(
        "/api/v1/persons", params={"name_kana": "シ"}, headers=token("s", CLERK)
    )
    assert kana.status_code == 200
    assert head in {i["addressee_number"] for i in kana.json()["items"]}


async def test_a_person_search_without_a_criterion_lists_nobody(
    client: httpx.AsyncClient, token: Headers
) -> None:
    await registered(client, token, b.addressee())
    for params in ({}, {"limit": 200}, {"name_kana": ""}):
        found = await client.get("/api/v1/persons", params=params, headers=token("s", CLERK))
        assert found.status_code == 422, found.text
        assert "/query/name_kana" in pointers(found)


async def test_a_forged_cursor_is_refused_before_the_query(
    client: httpx.AsyncClient, token: Headers
) -> None:
    forged = [
        base64.urlsafe_b64encode(json.dumps({"after": value}).encode()).decode()
        for value in ("\u0000", "x" * 10, 12)
    ] + ["not base64 at all"]
    criteria = {"/api/v1/persons": {"name_kana": "シ"}}  # a person search needs one
    for path in ("/api/v1/persons", "/api/v1/changes", "/api/v1/federation-reviews"):
        for cursor in forged:
            params = {"cursor": cursor, **criteria.get(path, {})}
            response = await client.get(path, params=params, headers=token("s", CLERK))
            assert response.status_code == 400, (path, cursor, response.text)
            assert response.json()["type"].endswith("invalid-cursor")
    # The cursors the API returns are taken back.
    await registered(client, token, b.addressee())
    await client.post(
        "/api/v1/households", json=b.move_in(b.addressee()), headers=token("e", CLERK)
    )
    await client.post(
        "/api/v1/households", json=b.move_in(b.addressee()), headers=token("e", CLERK)
    )
    for path in ("/api/v1/persons", "/api/v1/changes"):
        first = await client.get(
            path, params={"limit": 1, **criteria.get(path, {})}, headers=token("s", CLERK)
        )
        cursor = first.json()["next_cursor"]
        assert cursor is not None, path
        second = await client.get(
            path,
            params={"limit": 1, "cursor": cursor, **criteria.get(path, {})},
            headers=token("s", CLERK),
        )
        assert second.status_code == 200, second.text
        assert second.json()["items"]
        assert second.json()["items"] != first.json()["items"]


# --- text PostgreSQL cannot store ---------------------------------------------------------------


async def test_a_nul_character_is_refused_before_anything_is_written(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    body = b.move_in(head)
    body["members"][0]["details"]["name"] = "試験\x00太郎"
    response = await client.post("/api/v1/households", json=body, headers=token("clerk-a", CLERK))
    assert "/body/members/0/details/name" in pointers(response)
    assert await count_changes(eligibility_dsn, head) == 0

    search = await client.get(
        "/api/v1/persons", params={"name_kana": "シ\x00"}, headers=token("s", CLERK)
    )
    assert search.status_code == 422, search.text
    assert search.headers["content-type"].startswith("application/problem+json")


# --- the turning-75 job ----------------------------------------------------------------------


async def test_the_turning_75_job_refuses_a_date_more_than_a_month_ahead(
    client: httpx.AsyncClient, token: Headers, eligibility_dsn: str
) -> None:
    head = b.addressee()
    household = await registered(client, token, head)
    batch = token("batch-1", "batch.operator")
    # the service's day is Japan's (from 15:00 UTC it is already tomorrow there)
    today = datetime.now(JST).date()
    for as_of in (today + timedelta(days=32), date(2200, 1, 1)):
        refused = await client.post(
            "/api/v1/jobs/turning-75", json={"as_of": as_of.isoformat()}, headers=batch
        )
        assert "/body/as_of" in {e["pointer"] for e in refused.json().get("errors", [])}
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("as-of-too-far-ahead")
    now = await client.get(f"/api/v1/households/{household}", headers=token("s", CLERK))
    assert [m["addressee_number"] for m in now.json()["members"]] == [head]
    ahead = await client.post(
        "/api/v1/jobs/turning-75",
        json={"as_of": (today + timedelta(days=31)).isoformat()},
        headers=batch,
    )
    assert ahead.status_code == 200, ahead.text


# --- 退職情報 (NHI-Q-18) ------------------------------------------------------------------------


async def test_retiree_status_is_confirmed_published_and_shown_with_the_person(
    client: httpx.AsyncClient, token: Headers, eligibility_settings: Settings
) -> None:
    head = b.addressee()
    fact = date.today() - timedelta(days=30)
    household = await registered(client, token, head, fact=fact)
    url = f"/api/v1/households/{household}/members/{head}/retiree-status"
    body = {"retiree_kind": "retired_insured", "since": fact.isoformat()}
    early = {**body, "since": (fact - timedelta(days=1)).isoformat()}
    refused = await client.post(url, json=early, headers=token("clerk-a", CLERK))
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("status-before-acquisition")
    assert "/body/retiree_kind" in pointers(
        await client.post(
            url, json={**body, "retiree_kind": "pensioner"}, headers=token("clerk-a", CLERK)
        )
    )

    entered = await client.post(url, json=body, headers=token("clerk-a", CLERK))
    assert entered.status_code == 201, entered.text
    assert entered.json()["status"] == "pending"
    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-a", CLERK))
    assert person.json()["retiree_status"] == []  # not in effect before the second clerk
    done = await client.post(
        f"/api/v1/changes/{entered.json()['change_id']}/confirm", headers=token("clerk-b", CLERK)
    )
    assert done.status_code == 200, done.text
    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-a", CLERK))
    (status,) = person.json()["retiree_status"]
    assert status == {
        "retiree_kind": "retired_insured",
        "nhi_household_number": household,
        "since": fact.isoformat(),
        "until": None,
    }

    def is_recorded(key: bytes | None, value: dict[str, Any] | None) -> bool:
        return (
            value is not None
            and value["type"] == RetireeStatusRecorded.event_type
            and value["data"]["addressee_number"] == head
        )

    key, value = await find_on_topic(
        eligibility_settings.kafka_connection(), eligibility_settings.events_topic, is_recorded
    )
    assert key == household.encode()
    assert value is not None
    event = parse_data(value["type"], value["data"])
    assert isinstance(event, RetireeStatusRecorded)
    assert (event.entered_by, event.confirmed_by) == ("clerk-a", "clerk-b")
    assert set(value["data"]) >= {"since", "until", "retiree_kind"}
    assert not {"name", "name_kana", "address", "phone"} & set(value["data"])
