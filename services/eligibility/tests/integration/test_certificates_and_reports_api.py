"""The certificate basis, the run and the reports through the API (issue 14): a clerk records
DV support and an application and the choice follows; refusals are problem+json with their
type and change nothing; the reports are for supervisors and auditors."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import httpx
import pytest

from .. import builders as b
from .test_eligibility_e2e import confirm, enter_move_in

pytestmark = pytest.mark.integration

CLERK = "eligibility.clerk"
Headers = Callable[..., dict[str, str]]


async def test_a_clerk_records_dv_support_and_an_application_and_the_choice_follows(
    client: httpx.AsyncClient, token: Headers
) -> None:
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    assert (await confirm(client, token, change["change_id"])).status_code == 200
    url = f"/api/v1/persons/{head}/certificate-basis"
    r = await client.get(url, headers=token("clerk-a", CLERK))
    assert r.status_code == 200, r.text
    assert (r.json()["kind"], r.json()["reason"]) == (
        "eligibility_confirmation_document",
        "status_unknown",
    )
    r = await client.post(url, json={"dv_support": True}, headers=token("clerk-a", CLERK))
    assert r.status_code == 200, r.text
    assert (r.json()["dv_support"], r.json()["reason"]) == (True, "dv_support")
    r = await client.post(url, json={"on_application": True}, headers=token("clerk-a", CLERK))
    assert r.json()["dv_support"] is True  # a field left out stays
    r = await client.post(url, json={"dv_support": False}, headers=token("clerk-a", CLERK))
    assert (r.json()["dv_support"], r.json()["reason"]) == (False, "on_application")


async def test_refusals_are_problems_and_change_nothing(
    client: httpx.AsyncClient, token: Headers
) -> None:
    unknown = b.addressee()
    url = f"/api/v1/persons/{unknown}/certificate-basis"
    r = await client.post(url, json={"dv_support": True}, headers=token("clerk-a", CLERK))
    assert r.status_code == 404
    assert r.json()["type"].endswith("person-not-found")
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    await confirm(client, token, change["change_id"])
    r = await client.post(
        f"/api/v1/persons/{head}/certificate-basis", json={}, headers=token("clerk-a", CLERK)
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post("/api/v1/jobs/certificates", headers=token("batch-1", "batch.operator"))
    assert r.status_code == 409  # the tests' settings name no print directory
    assert r.json()["type"].endswith("print-directory-not-configured")
    r = await client.get(
        f"/api/v1/certificate-runs/{uuid4()}", headers=token("batch-1", "batch.operator")
    )
    assert r.status_code == 404
    r = await client.post("/api/v1/jobs/certificates", headers=token("clerk-a", CLERK))
    assert r.status_code == 403


async def test_reports_are_for_supervisors_and_auditors_and_check_their_period(
    client: httpx.AsyncClient, token: Headers
) -> None:
    r = await client.get("/api/v1/reports/monthly/2026-11", headers=token("clerk-a", CLERK))
    assert r.status_code == 403
    for role in ("eligibility.supervisor", "auditor"):
        r = await client.get("/api/v1/reports/monthly/2026-11", headers=token("sv", role))
        assert r.status_code == 200, r.text
        assert {x["item"] for x in r.json()["lines"]} >= {"members", "collection_rate_current"}
    sv = token("sv", "eligibility.supervisor")
    assert (await client.get("/api/v1/reports/monthly/2026-13", headers=sv)).status_code == 422
    assert (await client.get("/api/v1/reports/yearly/1999", headers=sv)).status_code == 422
    r = await client.get("/api/v1/reports/levy-base/2026/csv", headers=sv)
    assert r.status_code == 200
    assert r.text.startswith("report,period,section,item,label,value\n")
    r = await client.get("/api/v1/reports/yearly/2026", headers=sv)
    assert r.json()["report"] == "yearly"
