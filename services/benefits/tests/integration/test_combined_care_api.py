"""高額介護合算療養費 by API on PostgreSQL and Kafka: a bad LTC file refused naming its lines
(nothing stored), the LTC insurer's file and the claims by batch, the application by a clerk
(calculated), refused to the same person as reviewer, approved by a supervisor: the medical
share paid (``BenefitPaymentOrdered`` kind ``combined_care``) and the LTC share stated for the LTC
insurer (``CombinedCareBenefitDecided``) on the topic, without the account; the notice PDF."""

from __future__ import annotations

import json

import asyncpg
import pytest

from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory
from kokuho.events.contracts import benefits as contracts
from kokuho.events.testing.kafka import read_topic
from kokuho.platform.documents.checks import text_of
from kokuho.platform.testing import staff_headers

from ..unit.claims_kit import claims_file, d_line
from ..unit.test_unit_of_work_contract import a_rate
from .conftest import CLERK, Running

pytestmark = pytest.mark.integration
HOUSEHOLD, ELDER = "9920000801", "9910000801"
BATCH = "batch.operator"
LTC = f"H,KKH-KGS,1,2026-09-10,2026-07-31\nD,{HOUSEHOLD},{ELDER},341001,300000\nT,1\n"
BODY = {
    "nhi_household_number": HOUSEHOLD,
    "year": 2026,
    "payee_addressee_number": ELDER,
    "bank_code": "0001",
    "branch_code": "001",
    "account_type": "ordinary",
    "account_number": "6666666",
    "holder_kana": "コクホ　ロクロウ",
}


async def test_a_combined_care_benefit_by_two_people(running: Running) -> None:
    bad = await running.client.post(
        "/api/v1/ltc-self-pay-imports",
        json={"file_name": "bad.csv", "content": LTC.replace("341001", "34100")},
        headers=running.headers(BATCH),
    )
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"][0]["pointer"] == "/body/content/line/2"
    assert await running.fetch("SELECT 1 FROM ltc_self_pays") == []
    r = await running.client.post(
        "/api/v1/ltc-self-pay-imports",
        json={"file_name": "ltc.csv", "content": LTC},
        headers=running.headers(BATCH),
    )
    assert r.status_code == 201, r.text
    assert (r.json()["rows"], r.json()["base_date"]) == (1, "2026-07-31")
    claims = claims_file(
        d_line(
            "CD01", HOUSEHOLD, ELDER, cost=2_000_000, self_pay=400_000, month="2026-03", band="E"
        ),
        header="H,KKH-RZP,1,2026-08-20,2026-08",
    )
    r = await running.client.post(
        "/api/v1/claim-imports",
        json={"file_name": "c.csv", "content": claims},
        headers=running.headers(BATCH),
    )
    assert r.status_code == 201, r.text
    conn = await asyncpg.connect(running.dsn)
    try:  # the 所得区分 of July 2026 (income year 2024): 一般
        async with BenefitsUnit(conn=conn, topic=running.topic) as uow:
            await uow.copayment_rates.put(
                a_rate(
                    nhi_household_number=HOUSEHOLD,
                    income_year=2024,
                    elderly_category=ElderlyCategory.GENERAL,
                    copayment_rate_percent=20,
                    addressee_numbers=(ELDER,),
                )
            )
    finally:
        await conn.close()
    applied = await running.client.post(
        "/api/v1/combined-care-applications", json=BODY, headers=running.headers(CLERK)
    )
    assert applied.status_code == 201, applied.text
    body = applied.json()
    # 400,000 + 300,000 − 560,000 = 140,000: medical 80,000, LTC 60,000
    assert (body["excess"], body["medical_share"], body["ltc_share"]) == (140_000, 80_000, 60_000)
    assert body["status"] == "pending"
    url = f"/api/v1/combined-care-applications/{body['application_id']}"
    early = await running.client.get(f"{url}/notice", headers=running.headers(CLERK))
    assert early.status_code == 409
    same = await running.client.post(
        f"{url}/review", json={"approve": True}, headers=running.headers("benefits.supervisor")
    )
    assert same.status_code == 409, same.text
    assert same.json()["type"].endswith("same-person-review")
    other = staff_headers(running.key, "U-SUPERVISOR", "benefits.supervisor")
    approved = await running.client.post(f"{url}/review", json={"approve": True}, headers=other)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["amount"], approved.json()["paid"]) == (80_000, 80_000)
    records = await read_topic(running.bootstrap, running.topic, expected=2)
    published = {json.loads(r.value)["type"]: json.loads(r.value)["data"] for r in records}
    decided = published[contracts.CombinedCareBenefitDecided.event_type]
    assert (decided["medical_share"], decided["ltc_share"]) == (80_000, 60_000)
    payment = published[contracts.BenefitPaymentOrdered.event_type]
    assert (payment["benefit_kind"], payment["amount"]) == ("combined_care", 80_000)
    assert "6666666" not in b"".join(r.value for r in records).decode()
    pdf = await running.client.get(f"{url}/notice", headers=running.headers(CLERK))
    assert pdf.status_code == 200
    assert "80,000円" in text_of(pdf.content)
