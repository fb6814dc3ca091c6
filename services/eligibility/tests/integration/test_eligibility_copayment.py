"""Benefits' income-based 70-74 rate reaches the 資格確認書 (issue 11, rules.md 3.4): a
``CopaymentRateDecided`` on benefits' topic is recorded for the members it names, replacing the
documented default, and the next certificate prints 3割."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from kokuho.eligibility.config import Settings
from kokuho.events.contracts import Envelope
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import produce
from kokuho.platform.documents import checks
from kokuho.platform.testing import eventually

from .. import builders as b
from .test_eligibility_e2e import confirm, enter_move_in

pytestmark = pytest.mark.integration

CLERK = "eligibility.clerk"
Headers = Callable[..., dict[str, str]]


def rate_year(today: date) -> tuple[date, date]:
    start = date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    return start, date(start.year + 1, 7, 31)


async def decided(
    kafka: KafkaConnection, settings: Settings, household: str, members: list[str], percent: int
) -> None:
    start, end = rate_year(date.today())
    data: dict[str, Any] = {
        "nhi_household_number": household,
        "income_year": start.year - 1,
        "effective_from": start.isoformat(),
        "effective_to": end.isoformat(),
        "under_70_category": "u",
        "elderly_category": "active_1" if percent == 30 else "general",
        "copayment_rate_percent": percent,
        "addressee_numbers": members,
        "decided_by": "benefits-clerk-1",
        "decided_on": date.today().isoformat(),
    }
    envelope = Envelope(
        id=uuid4(),
        source="/kokuho/benefits",
        type="jp.kokuho.benefits.copayment_rate_decided.v1",
        time=datetime.now(UTC),
        subject=household,
        data=data,
        partitionkey=household,
    )
    assert settings.benefits_topic is not None
    await produce(
        kafka,
        settings.benefits_topic,
        [(household.encode(), envelope.to_json_bytes())],
    )


async def issue(client: httpx.AsyncClient, token: Headers, household: str, who: str) -> str:
    issued = await client.post(
        f"/api/v1/households/{household}/certificates",
        json={
            "kind": "eligibility_confirmation_document",
            "addressee_number": who,
            "issue_date": date.today().isoformat(),
        },
        headers=token("clerk-a", CLERK),
    )
    assert issued.status_code == 201, issued.text
    (event,) = [e for e in issued.json()["events"] if e["type"].endswith("certificate_issued.v1")]
    return str(event["data"]["certificate_id"])


async def test_a_3_wari_decision_from_benefits_is_printed_on_the_next_certificate(
    client: httpx.AsyncClient,
    token: Headers,
    eligibility_settings: Settings,
    kafka: KafkaConnection,
) -> None:
    head, elsewhere = b.addressee(), b.addressee()
    today = date.today()
    body = b.move_in(head, fact=today - timedelta(days=10))
    body["members"][0]["details"]["birth_date"] = date(today.year - 72, 3, 3).isoformat()
    change = await enter_move_in(client, token, body)
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    before = await client.get(
        f"/api/v1/certificates/{await issue(client, token, household, head)}",
        headers=token("clerk-a", CLERK),
    )
    assert before.json()["copayment_rate_tenths"] == 2  # the documented default

    # a member of another household named in the decision is left alone
    await decided(kafka, eligibility_settings, household, [head, elsewhere], 30)

    async def recorded() -> dict[str, Any] | None:
        certificate = await issue(client, token, household, head)
        got = await client.get(
            f"/api/v1/certificates/{certificate}", headers=token("clerk-a", CLERK)
        )
        return got.json() if got.json()["copayment_rate_tenths"] == 3 else None

    after = await eventually(recorded, timeout=30, what="the 3割 decision recorded")
    pdf = await client.get(
        f"/api/v1/certificates/{after['certificate_id']}/pdf", headers=token("clerk-a", CLERK)
    )
    assert "3割" in checks.text_of(pdf.content)
    person = await client.get(f"/api/v1/persons/{head}", headers=token("clerk-a", CLERK))
    (period,) = person.json()["qualifications"]
    assert period["copayment_until"] == rate_year(today)[1].isoformat()


async def test_delinquencys_special_care_flag_reaches_the_next_confirmation_document(
    client: httpx.AsyncClient,
    token: Headers,
    eligibility_settings: Settings,
    kafka: KafkaConnection,
) -> None:
    """Issue 12: a household past one year of arrears is flagged by delinquency and the flag
    reaches eligibility: the next 資格確認書 is a 資格確認書(特別療養費)."""
    head = b.addressee()
    change = await enter_move_in(client, token, b.move_in(head))
    await confirm(client, token, change["change_id"])
    household = change["nhi_household_number"]
    envelope = Envelope(
        id=uuid4(),
        source="/kokuho/delinquency",
        type="jp.kokuho.delinquency.special_care_flagged.v1",
        time=datetime.now(UTC),
        subject=household,
        data={
            "nhi_household_number": household,
            "oldest_due_date": (date.today() - timedelta(days=400)).isoformat(),
            "effective_on": date.today().isoformat(),
        },
        partitionkey=household,
    )
    assert eligibility_settings.delinquency_topic is not None
    await produce(
        kafka,
        eligibility_settings.delinquency_topic,
        [(household.encode(), envelope.to_json_bytes())],
    )

    async def flagged() -> dict[str, Any] | None:
        certificate = await issue(client, token, household, head)
        got = await client.get(
            f"/api/v1/certificates/{certificate}", headers=token("clerk-a", CLERK)
        )
        return got.json() if got.json()["special_care"] else None

    after = await eventually(flagged, timeout=30, what="the 特別療養費 flag recorded")
    pdf = await client.get(
        f"/api/v1/certificates/{after['certificate_id']}/pdf", headers=token("clerk-a", CLERK)
    )
    text = checks.text_of(pdf.content)
    assert "資格確認書（特別療養費）" in text
    assert "特別療養費" in text.split("資格確認書（特別療養費）", 1)[1]
