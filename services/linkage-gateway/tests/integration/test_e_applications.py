"""E-application intake on the real PostgreSQL and Kafka (C-12): a signed application reaches
assessment's topic without the individual number; tampered, revoked, foreign and mismatched
ones are refused, recorded and reported to the portal."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.platform.testing import database_text

from ..ca import CertificateAuthority
from ..conftest import read_until
from .test_intermediate_server import addressee, bind

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]


def declaration(number: IndividualNumber) -> dict[str, object]:
    return {
        "individual_number": number.value,
        "answers": {"fiscal_year": 2026, "no_income": True, "circumstances": "学生"},
    }


async def test_intake_accepts_the_valid_and_refuses_the_rest(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    who, other = addressee(), addressee()
    number, other_number = numbers(), numbers()
    await bind(gateway, who, number)
    await bind(gateway, other, other_number)
    ca: CertificateAuthority = gateway.authority
    good, revoked = ca.issue("resident"), ca.issue("revoked")
    foreign = CertificateAuthority("Not Our Root").issue("x")
    for signer in (good, revoked, foreign):
        gateway.residents.by_serial[signer.serial] = who
    ca.revoke(revoked)
    receipt = f"R{who}"

    valid = good.sign(receipt, declaration(number))
    tampered_source = good.sign(f"T{who}", declaration(number))
    tampered = type(tampered_source)(
        **{
            **tampered_source.__dict__,
            "payload": tampered_source.payload.replace(b"true", b"false"),
        }
    )
    gateway.portal.submit(valid)
    gateway.portal.submit(tampered)
    gateway.portal.submit(revoked.sign(f"V{who}", declaration(number)))
    gateway.portal.submit(foreign.sign(f"F{who}", declaration(number)))
    gateway.portal.submit(good.sign(f"M{who}", declaration(other_number)))  # not this person's

    run = await gateway.client.post(
        "/api/v1/e-applications/intake-runs", headers=gateway.headers("batch.operator")
    )
    assert run.status_code == 201, run.text
    statuses = {r["receipt_number"]: r["status_code"] for r in run.json()["results"]}
    assert statuses == {
        receipt: "accepted",
        f"T{who}": "signature-invalid",
        f"V{who}": "signature-invalid",
        f"F{who}": "signature-invalid",
        f"M{who}": "number-mismatch",
    }
    reasons = {r["receipt_number"]: r["reason"] for r in run.json()["results"]}
    assert "tampered" in reasons[f"T{who}"]
    assert "revoked" in reasons[f"V{who}"]
    assert "trusted root" in reasons[f"F{who}"]
    assert {k: v[0] for k, v in gateway.portal.statuses.items()} == statuses

    again = await gateway.client.post(
        "/api/v1/e-applications/intake-runs", headers=gateway.headers("batch.operator")
    )
    assert again.json()["results"] == []  # nothing is taken twice

    stored = await gateway.client.get(
        f"/api/v1/e-applications/{receipt}", headers=gateway.headers("linkage.operator")
    )
    assert stored.status_code == 200
    assert stored.json()["addressee_number"] == who
    assert stored.json()["status_code"] == "accepted"

    value = await read_until(
        kafka, gateway.settings.events_topic, who.encode(), b"e_application_accepted"
    )
    assert b'"affair":"assessment"' in value
    assert b'"no_income":true' in value
    assert number.value.encode() not in value
    assert b"individual_number" not in value

    logs = "\n".join(gateway.logs.lines)
    assert number.value not in logs
    assert other_number.value not in logs
    text = await database_text(gateway.settings.database_dsn)
    assert number.value not in text
    assert other_number.value not in text
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        audited = await conn.fetch(
            "SELECT outcome, detail->>'receipt_number' AS r, subject_addressee_numbers AS s"
            " FROM audit_log WHERE operation = 'e-application intake'"
        )
        # The refused applications publish nothing: one event, for the valid one.
        published = await conn.fetch(
            "SELECT envelope::text AS p FROM events"
            " WHERE event_type LIKE '%e_application_accepted%'"
        )
    finally:
        await conn.close()
    assert {a["r"]: a["outcome"] for a in audited} == {
        k: ("allowed" if v == "accepted" else "failed") for k, v in statuses.items()
    }
    # whose application it was, once a valid signature made the certificate trustworthy
    assert {a["r"]: list(a["s"]) for a in audited} == {
        receipt: [who],
        f"T{who}": [],
        f"V{who}": [],
        f"F{who}": [],
        f"M{who}": [who],
    }
    assert len(published) == 1
    assert receipt in published[0]["p"]
