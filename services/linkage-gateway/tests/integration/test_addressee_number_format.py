"""The addressee number (宛名番号) is exactly 10 ASCII digits wherever the gateway takes it, as
in every other service: in a request body, a list of them, or a path. Anything else (9 or 11
digits, letters, full-width digits, a sign) is refused with 422 problem+json naming the field,
before any counterpart is asked, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import asyncpg
import httpx
import pytest

from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

from .test_intermediate_server import addressee, bind

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]

MALFORMED = [
    "123456789",  # 9 digits
    "12345678901",  # 11 digits
    "A123456789",  # a letter
    "１２３４５６７８９０",  # full-width digits
    "12345-6789",  # a sign
    "1234567890\n",  # a line break after the digits
]

#: Every table a request could have written to (the audit log is not one: refusals are logged).
TABLES = (
    "integrated_addressee",
    "affair_subjects",
    "binding_confirmations",
    "ipn_inquiries",
    "provisions",
    "transfers",
    "events",
)


async def snapshot(dsn: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(dsn)
    try:
        return {
            table: sorted(str(dict(r)) for r in await conn.fetch(f"SELECT * FROM {table}"))
            for table in TABLES
        }
    finally:
        await conn.close()


def assert_refused(r: httpx.Response, pointer: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"].endswith("validation-error")
    assert [e["pointer"] for e in problem["errors"]] == [pointer], problem


async def test_a_malformed_addressee_number_in_a_body_is_refused_and_changes_nothing(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    who, number, fresh = addressee(), numbers(), numbers()
    await bind(gateway, who, number)
    before = await snapshot(gateway.settings.database_dsn)
    jlis_calls = gateway.jlis.calls
    clerk = gateway.headers("eligibility.clerk")
    for bad in MALFORMED:
        registration = await gateway.client.post(
            "/api/v1/individual-numbers",
            json={"addressee_number": bad, "individual_number": fresh.value},
            headers=clerk,
        )
        assert_refused(registration, "/body/addressee_number")
        assert fresh.value not in registration.text
        verification = await gateway.client.post(
            "/api/v1/individual-numbers/verifications",
            json={"addressee_number": bad, "individual_number": number.value},
            headers=clerk,
        )
        assert_refused(verification, "/body/addressee_number")
        assert number.value not in verification.text
        inquiry = await gateway.client.post(
            "/api/v1/ipn/inquiries",
            json={
                "addressee_number": bad,
                "affair": "nhi-eligibility",
                "provider": "health-insurer",
                "item": "health-insurance-qualification",
            },
            headers=gateway.headers("linkage.ipn-inquirer"),
        )
        assert_refused(inquiry, "/body/addressee_number")
        transfer = await gateway.client.post(
            "/api/v1/transfers",
            json={
                "flow_id": "nhi-to-municipal-tax-2026",
                "recipient": "municipal-tax-division",
                "method": "platform-linkage",
                "items": ["addressee_number", "integrated_addressee_number"],
                "addressee_numbers": [who, bad],
            },
            headers=gateway.headers("linkage.operator"),
        )
        assert_refused(transfer, "/body/addressee_numbers/1")
    assert await snapshot(gateway.settings.database_dsn) == before
    assert gateway.jlis.calls == jlis_calls  # refused before J-LIS was asked
    assert gateway.channel_deliveries() == []
    # the well-formed number still goes through
    ok = await gateway.client.post(
        "/api/v1/individual-numbers/verifications",
        json={"addressee_number": who, "individual_number": number.value},
        headers=clerk,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["match"] is True


async def test_a_malformed_addressee_number_in_a_path_is_refused(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    who, number = addressee(), numbers()
    await bind(gateway, who, number)
    before = await snapshot(gateway.settings.database_dsn)
    operator = gateway.headers("linkage.operator")
    for bad in MALFORMED:
        path = quote(bad, safe="")
        resolution = await gateway.client.get(
            f"/api/v1/persons/{path}/individual-number",
            params={"affair": "nhi-eligibility"},
            headers=operator,
        )
        assert_refused(resolution, "/path/addressee_number")
        replicas = await gateway.client.get(f"/api/v1/persons/{path}/replicas", headers=operator)
        assert_refused(replicas, "/path/addressee_number")
    assert await snapshot(gateway.settings.database_dsn) == before
    resolved = await gateway.client.get(
        f"/api/v1/persons/{who}/individual-number",
        params={"affair": "nhi-eligibility"},
        headers=operator,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["individual_number_masked"] == number.masked


async def test_the_integrated_addressee_number_of_a_provision_request_is_16_digits(  # type: ignore[no-untyped-def]
    gateway,
) -> None:
    before = await snapshot(gateway.settings.database_dsn)
    for bad in ("123456789012345", "12345678901234567", "A234567890123456", "１" * 16):
        r = await gateway.client.post(
            "/api/v1/ipn/provision-requests",
            json={
                "requester": "welfare-office",
                "integrated_addressee_number": bad,
                "item": "nhi-benefit-detail",
            },
            headers=gateway.headers("linkage.ipn-connector"),
        )
        assert_refused(r, "/body/integrated_addressee_number")
    assert await snapshot(gateway.settings.database_dsn) == before


async def test_the_openapi_document_declares_the_format(gateway) -> None:  # type: ignore[no-untyped-def]
    spec = gateway.app.openapi()
    schemas = spec["components"]["schemas"]
    for model in ("NumberRegistrationIn", "VerificationIn", "InquiryIn"):
        field = schemas[model]["properties"]["addressee_number"]
        assert (field["pattern"], field["description"]) == ("^[0-9]{10}$", "宛名番号"), model
    assert schemas["TransferIn"]["properties"]["addressee_numbers"]["items"]["pattern"] == (
        "^[0-9]{10}$"
    )
    for path in (
        "/api/v1/persons/{addressee_number}/individual-number",
        "/api/v1/persons/{addressee_number}/replicas",
    ):
        (param,) = [
            p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "addressee_number"
        ]
        assert param["schema"]["pattern"] == "^[0-9]{10}$"


async def test_an_e_application_whose_holder_has_no_well_formed_addressee_number_is_refused(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    """The resident-record system's answer is an addressee number taken from outside too: one
    that is not 10 digits is not carried on to a record, an event or the audit's subjects."""
    signer = gateway.authority.issue("resident")
    gateway.residents.by_serial[signer.serial] = "A1"
    receipt = f"R{addressee()}"
    gateway.portal.submit(
        signer.sign(receipt, {"individual_number": numbers().value, "answers": {}})
    )
    run = await gateway.client.post(
        "/api/v1/e-applications/intake-runs", headers=gateway.headers("batch.operator")
    )
    assert run.status_code == 201, run.text
    [result] = run.json()["results"]
    assert result["status_code"] == "unknown-certificate"
    assert "10 digits" in result["reason"]
    stored = await gateway.client.get(
        f"/api/v1/e-applications/{receipt}", headers=gateway.headers("linkage.operator")
    )
    assert stored.json()["addressee_number"] is None
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM events") == 0
        subjects = await conn.fetchval(
            "SELECT subject_addressee_numbers FROM audit_log"
            " WHERE operation = 'e-application intake'"
        )
    finally:
        await conn.close()
    assert list(subjects) == []
