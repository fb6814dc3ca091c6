"""C-18: no screen shows an individual number. Every read endpoint (and the lookup, which is a
search) is called as every role, and separately as all roles at once, after a person's data has
reached every record the gateway keeps; no answer holds the number or a field named
``individual_number`` (only the mask ``individual_number_masked``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

from .test_gateway_fuzz import ALL_ROLES
from .test_intermediate_server import acquired, addressee, bind, poll, publish

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


async def test_no_read_endpoint_shows_the_number_to_any_role(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    who, number = addressee(), numbers()
    integrated = await bind(gateway, who, number)
    # the person in every record: a replica, an inquiry, a held provision, an e-application
    await publish(kafka, gateway.settings.eligibility_topic, acquired(who, date(2026, 4, 1)), who)
    assert await poll(
        gateway.settings.database_dsn, "SELECT 1 FROM replicas WHERE addressee_number = $1", who
    )
    gateway.server.provider_data[
        ("health-insurer", "health-insurance-qualification", integrated)
    ] = {"qualified": True}
    inquiry = await gateway.client.post(
        "/api/v1/ipn/inquiries",
        json={
            "addressee_number": who,
            "affair": "nhi-eligibility",
            "provider": "health-insurer",
            "item": "health-insurance-qualification",
        },
        headers=gateway.headers("linkage.ipn-inquirer"),
    )
    assert inquiry.status_code == 201, inquiry.text
    held = await gateway.client.post(
        "/api/v1/ipn/provision-requests",
        json={
            "requester": "welfare-office",
            "integrated_addressee_number": integrated,
            "item": "nhi-benefit-detail",
        },
        headers=gateway.headers("linkage.ipn-connector"),
    )
    assert held.json()["status"] == "held"
    signer = gateway.authority.issue("resident")
    gateway.residents.by_serial[signer.serial] = who
    receipt = f"S{who}"
    gateway.portal.submit(
        signer.sign(
            receipt,
            {
                "individual_number": number.value,
                "answers": {"fiscal_year": 2026, "no_income": True},
            },
        )
    )
    run = await gateway.client.post(
        "/api/v1/e-applications/intake-runs", headers=gateway.headers("batch.operator")
    )
    assert run.status_code == 201, run.text
    assert run.json()["results"][0]["status_code"] == "accepted"

    values = {
        "addressee_number": who,
        "inquiry_id": inquiry.json()["inquiry_id"],
        "receipt_number": receipt,
    }
    paths = gateway.app.openapi()["paths"]
    reads = [p for p, ops in paths.items() if "get" in ops and p.startswith("/api/v1/")]
    assert len(reads) >= 9  # every read endpoint, not an empty list
    answered: dict[str, int] = {}
    shown: list[str] = []
    for role_set in [(r,) for r in ALL_ROLES] + [ALL_ROLES]:
        headers = gateway.headers(*role_set)
        calls = [
            ("GET", re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], p), None) for p in reads
        ]
        calls.append(
            (
                "POST",
                "/api/v1/individual-numbers/lookups",
                {"individual_number": number.value, "affair": "nhi-eligibility"},
            )
        )
        for method, url, body in calls:
            r = await gateway.client.request(
                method, url, params={"affair": "nhi-eligibility"}, json=body, headers=headers
            )
            assert r.status_code < 500, f"{url}: {r.text}"
            if r.status_code == 200:
                answered[url] = answered.get(url, 0) + 1
            if number.value in r.text or "individual_number" in keys_of(r.json()):
                shown.append(f"{method} {url} as {role_set}")
    assert shown == []
    # the reads did answer with the person's data (the check is not vacuous)
    assert len(answered) == len(reads) + 1, sorted(answered)
    resolved = await gateway.client.get(
        f"/api/v1/persons/{who}/individual-number",
        params={"affair": "nhi-eligibility"},
        headers=gateway.headers("linkage.operator"),
    )
    assert resolved.json()["individual_number_masked"] == number.masked
