"""End to end on the real PostgreSQL and Kafka: PremiumAssessed becomes charges; a payment file
produces PaymentReceived and the balance; the same file twice changes nothing; a malformed file
is refused with every bad line named and nothing applied; a correction downwards after payment
is appropriated then refunded with its notice; an unpaid instalment gets a dunning notice after
its due date; counter payments, reversals and changes under four eyes; roles."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

import pytest

from kokuho.collection.adapters import matching_workers
from kokuho.collection.app import payments
from kokuho.collection.domain.payment_file import HEADER, notice_number
from kokuho.events.contracts import collection as contracts
from kokuho.events.contracts import delinquency as contracts_delinquency
from kokuho.events.runtime.deadletters import REASON_HEADER
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.events.testing.waiting import eventually
from kokuho.platform.documents.checks import text_of

from .conftest import FY, Running

pytestmark = pytest.mark.integration

H1, H2 = "9950000011", "9950000012"
OPERATOR, SUPERVISOR, CLERK = "batch.operator", "collection.supervisor", "collection.clerk"


def payment_file(*lines: tuple[str, int, int, str]) -> str:
    rows = [f"{notice_number(FY, h, p)},{yen},2026-11-30,bank,{ref}" for h, p, yen, ref in lines]
    return "\n".join([HEADER, *rows]) + "\n"


async def balance(running: Running, household: str, as_of: str = "2026-12-01") -> dict[str, Any]:
    response = await running.client.get(
        f"/api/v1/households/{household}/balance",
        params={"as_of": as_of},
        headers=running.headers(CLERK),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def charged(running: Running, household: str, count: int = 10) -> None:
    async def ready() -> bool:
        r = await running.client.get(
            f"/api/v1/households/{household}/balance", headers=running.headers(CLERK)
        )
        return r.status_code == 200 and len(r.json()["instalments"]) == count

    await eventually(ready, what=f"charges of {household}")


async def import_file(running: Running, text: str, **extra: Any) -> Any:
    return await running.client.post(
        "/api/v1/payment-imports",
        json={"file_name": "bank.csv", "content": text, **extra},
        headers=running.headers(OPERATOR, user="U-OP"),
    )


async def test_a_file_of_several_slabs_is_matched_in_the_service_s_worker_process(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service as built (``payment_file_workers`` 1): a file of more than one slab is
    matched in a spawned worker process (ADR 0116), its payments published and booked."""
    made: list[ProcessPoolExecutor] = []

    class Recorded(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(matching_workers, "ProcessPoolExecutor", Recorded)
    monkeypatch.setattr(payments, "LOAD_HOUSEHOLDS", 1)  # a slab a household
    await running.assess(H1, [10_000] * 10)
    await running.assess(H2, [8_000] * 10)
    await charged(running, H1)
    await charged(running, H2)
    text = payment_file((H1, 1, 10_000, "S1"), (H2, 1, 9_000, "S2"), (H1, 2, 4_000, "S3"))
    response = await import_file(running, text)
    assert response.status_code == 201, response.text
    assert (response.json()["applied"], response.json()["work_items"]) == (3, 1)
    assert len(made) == 1
    received = await running.published(contracts.PaymentReceived.event_type, 3)
    assert sorted((r["key"], r["data"]["period"], r["data"]["overpaid"]) for r in received) == [
        (H1, 1, 0),
        (H1, 2, 0),
        (H2, 1, 1_000),
    ]
    h1 = {i["period"]: i for i in (await balance(running, H1))["instalments"]}
    assert [h1[p]["outstanding"] for p in (1, 2, 3)] == [0, 6_000, 10_000]


async def test_assessment_payments_correction_refund_and_dunning(running: Running) -> None:
    await running.assess(H1, [10_000] * 10)
    await running.assess(H2, [8_000] * 10)
    await charged(running, H1)
    await charged(running, H2)
    [charge] = [i for i in (await balance(running, H1))["instalments"] if i["period"] == 1]
    assert (charge["charged"], charge["due_date"]) == (10_000, "2026-06-30")

    text = payment_file(
        (H1, 1, 10_000, "B1"),
        (H1, 2, 10_000, "B2"),
        (H1, 3, 10_000, "B3"),
        (H2, 1, 5_000, "B4"),
        ("9950000099", 1, 700, "B5"),
    )
    first = await import_file(running, text)
    assert first.status_code == 201, first.text
    assert (first.json()["applied"], first.json()["work_items"]) == (4, 1)
    received = await running.published(contracts.PaymentReceived.event_type, 4)
    assert sorted((r["key"], r["data"]["period"], r["data"]["amount"]) for r in received) == [
        (H1, 1, 10_000),
        (H1, 2, 10_000),
        (H1, 3, 10_000),
        (H2, 1, 5_000),
    ]
    assert all(r["data"]["channel"] == "bank" for r in received)
    rows = {i["period"]: i for i in (await balance(running, H1))["instalments"]}
    assert [rows[p]["outstanding"] for p in (1, 2, 3, 4)] == [0, 0, 0, 10_000]
    assert rows[4]["overdue"] == 10_000
    assert rows[7]["overdue"] == 0
    h2 = {i["period"]: i for i in (await balance(running, H2))["instalments"]}
    assert (h2[1]["paid"], h2[1]["outstanding"]) == (5_000, 3_000)
    # as of a day before the payments, nothing was paid
    before = await balance(running, H1, "2026-11-29")
    assert sum(i["paid"] for i in before["instalments"]) == 0

    events = await running.fetchval("SELECT count(*) FROM events")
    again = await import_file(running, text)
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    assert await running.fetchval("SELECT count(*) FROM events") == events
    items = await running.client.get("/api/v1/work-items", headers=running.headers(CLERK))
    assert [i["kind"] for i in items.json()["items"]] == ["unmatched"]

    # a correction downwards: 4,000 a month; 3 × 6,000 = 18,000 held
    await running.assess(H1, [4_000] * 10, revision=2)

    async def held() -> bool:
        return (await balance(running, H1))["refundable"] == 18_000

    await eventually(held, what="the overpayment of the correction")
    settled = await running.client.post(
        f"/api/v1/households/{H1}/settlements",
        json={
            "decided_on": "2026-12-01",
            "refund_account": {
                "bank_code": "0001",
                "branch_code": "001",
                "account_type": "ordinary",
                "account_number": "1234567",
                "holder_kana": "ｺｸﾎ ﾀﾛｳ",
            },
        },
        headers=running.headers(SUPERVISOR, user="U-SUP"),
    )
    assert settled.status_code == 201, settled.text
    body = settled.json()
    # overdue on 12/1: instalments 4, 5, 6 (Sep, Oct, Nov) at 4,000: 12,000 appropriated
    assert [(a["period"], a["amount"]) for a in body["appropriated_principal"]] == [
        (4, 4_000),
        (5, 4_000),
        (6, 4_000),
    ]
    assert (body["refund"], body["refund_interest"]) == (6_000, 0)
    pdf = await running.client.get(
        f"/api/v1/documents/{body['document_id']}", headers=running.headers(CLERK)
    )
    assert pdf.headers["content-type"] == "application/pdf"
    text_layer = text_of(pdf.content)
    assert "過誤納金還付・充当通知書" in text_layer
    assert "6,000円" in text_layer
    assert "1234567" not in text_layer  # the account number is masked
    await running.published(contracts.RefundDecided.event_type, 1)

    # dunning: 20 days after the due date (configuration); H2's 2nd..5th (Jul..Oct) and its
    # part-paid 1st are dunned, November's (due 11/30) not yet; H1 owes nothing overdue
    dunning = await running.client.post(
        "/api/v1/jobs/dunning", json={}, headers=running.headers(OPERATOR, user="U-OP")
    )
    assert dunning.status_code == 200, dunning.text
    assert dunning.json()["items"] == 5
    notices = await running.published(contracts.DunningNoticeIssued.event_type, 5)
    assert {(n["key"], n["data"]["period"]) for n in notices} == {(H2, p) for p in range(1, 6)}
    first_notice = next(n for n in notices if n["data"]["period"] == 1)
    assert (first_notice["data"]["outstanding"], first_notice["data"]["designated_deadline"]) == (
        3_000,
        "2026-12-11",
    )
    again_dunning = await running.client.post(
        "/api/v1/jobs/dunning", json={}, headers=running.headers(OPERATOR, user="U-OP")
    )
    assert again_dunning.json()["items"] == 0
    letter = await running.client.get(
        f"/api/v1/documents/{dunning.json()['documents'][0]}", headers=running.headers(CLERK)
    )
    assert "督促状" in text_of(letter.content)


async def test_a_malformed_file_is_refused_naming_every_bad_line(running: Running) -> None:
    await running.assess(H1, [10_000] * 10)
    await charged(running, H1)
    events = await running.fetchval("SELECT count(*) FROM events")
    text = (
        payment_file((H1, 1, 10_000, "G1"))
        + "oops\n"
        + f"{notice_number(FY, H1, 2)},-5,2026-11-30,bank,G3\n"
    )
    refused = await import_file(running, text)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in refused.json()["errors"]] == [
        "/body/content/line/3",
        "/body/content/line/4",
    ]
    assert await running.fetchval("SELECT count(*) FROM events") == events
    assert await running.fetchval("SELECT count(*) FROM payment_imports") == 0
    partial = await import_file(running, text, apply_valid_part=True)
    assert (partial.status_code, partial.json()["applied"], partial.json()["partial"]) == (
        201,
        1,
        True,
    )


async def test_counter_reversal_four_eyes_and_roles(running: Running) -> None:
    await running.assess(H1, [10_000] * 10)
    await charged(running, H1)
    pay = await running.client.post(
        f"/api/v1/households/{H1}/payments",
        json={"amount": 15_000, "receipt_number": "R-1", "paid_on": "2026-12-01"},
        headers=running.headers(CLERK),
    )
    assert pay.status_code == 201, pay.text
    assert [(a["period"], a["amount"]) for a in pay.json()["applied"]] == [(1, 10_000), (2, 5_000)]
    twice = await running.client.post(
        f"/api/v1/households/{H1}/payments",
        json={"amount": 15_000, "receipt_number": "R-1", "paid_on": "2026-12-01"},
        headers=running.headers(CLERK),
    )
    assert (twice.status_code, twice.json()["type"]) == (
        409,
        "urn:kokuho:problem:duplicate-payment",
    )
    reversal = await running.client.post(
        f"/api/v1/households/{H1}/payments/{pay.json()['payment_id']}/reversal",
        json={"reason": "金額誤り", "reversed_on": "2026-12-01"},
        headers=running.headers(SUPERVISOR, user="U-SUP"),
    )
    assert reversal.status_code == 200, reversal.text
    assert (await balance(running, H1))["received"] == 0

    entered = await running.client.post(
        f"/api/v1/households/{H1}/charge-changes",
        json={"fiscal_year": FY, "period": 10, "amount": 9_000, "reason": "減額更正の入力"},
        headers=running.headers(CLERK, user="Sato"),
    )
    assert entered.status_code == 201, entered.text
    change = entered.json()["change_id"]
    path = f"/api/v1/households/{H1}/charge-changes/{change}/confirmation"
    own = await running.client.post(path, headers=running.headers(CLERK, user="sato"))
    assert (own.status_code, own.json()["type"]) == (
        403,
        "urn:kokuho:problem:same-staff-confirming",
    )
    other = await running.client.post(path, headers=running.headers(SUPERVISOR, user="Tanaka"))
    assert other.status_code == 200, other.text
    charges = await running.published(contracts.ChargeSet.event_type, 11)
    manual = [c for c in charges if c["data"]["cause"] == "manual"]
    assert [
        (m["data"]["entered_by"], m["data"]["confirmed_by"], m["data"]["previous_amount"])
        for m in manual
    ] == [("Sato", "Tanaka", 10_000)]

    assert (await running.client.get(f"/api/v1/households/{H1}/balance")).status_code == 401
    wrong = await running.client.post(
        "/api/v1/jobs/dunning", json={}, headers=running.headers(CLERK)
    )
    assert wrong.status_code == 403
    audited = await running.fetchval(
        "SELECT count(*) FROM audit_log WHERE $1 = ANY(subject_addressee_numbers)", H1
    )
    assert audited >= 6


async def test_a_seizures_proceeds_from_delinquency_are_a_payment_on_the_oldest_arrears(
    running: Running,
) -> None:
    """Issue 12: proceeds delinquency collected by a seizure (ProceedsCollected) reach collection
    as a payment, channel enforcement, on the oldest arrears, published as PaymentReceived; the
    same proceeds again change nothing; proceeds for a household with no charges go to the
    dead-letter topic, never dropped."""
    household = "9950000031"
    await running.assess(household, [10_000] * 10)
    await charged(running, household)
    proceeds = contracts_delinquency.ProceedsCollected(
        nhi_household_number=household,
        proceeds_id="P-2026-0001",
        seizure_id="S-2026-0001",
        amount=15_000,
        effective_on=date(2026, 11, 20),
    )
    for _ in range(2):  # delivered twice (another message id each time)
        await publish(
            running.bootstrap,
            running.delinquency_topic,
            household,
            proceeds,
            source="/kokuho/delinquency",
        )
    [received] = await running.published("jp.kokuho.collection.payment_received.v1", 1)
    assert received["key"] == household
    data = received["data"]
    assert (data["channel"], data["amount"]) == ("enforcement", 15_000)

    async def paid() -> dict[str, Any] | None:
        result = await balance(running, household)
        by_period = {i["period"]: i for i in result["instalments"]}
        return result if by_period[1]["paid"] == 10_000 and by_period[2]["paid"] == 5_000 else None

    await eventually(paid, what="the proceeds on the oldest instalments")
    payments = await running.fetchval(
        "SELECT count(*) FROM events WHERE event_type = 'jp.kokuho.collection.payment_received.v1'"
    )
    assert payments == 1  # the second delivery changed nothing
    stray = proceeds.model_copy(update={"nhi_household_number": "9950000099"})
    await publish(
        running.bootstrap,
        running.delinquency_topic,
        "9950000099",
        stray,
        source="/kokuho/delinquency",
    )
    dead = await read_topic(
        running.bootstrap, f"{running.delinquency_topic}.dlq", until=lambda rs: len(rs) >= 1
    )
    reasons = [dict(r.headers).get(REASON_HEADER, b"").decode() for r in dead]
    assert any("HouseholdNotFound" in reason for reason in reasons), reasons


async def test_delinquencys_renewal_and_write_off_reach_the_charges(running: Running) -> None:
    """Issue 10: delinquency's PrescriptionRenewed moves the charge's lapse day (the period runs
    again from the act's day) and its ArrearWrittenOff records the 不納欠損 (written off, never
    paid), each published by collection; the same events again change nothing; an act for a
    household with no charges goes to the dead-letter topic."""
    household = "9950000032"
    await running.assess(household, [10_000] * 10)
    await charged(running, household)
    renewed = contracts_delinquency.PrescriptionRenewed(
        nhi_household_number=household,
        fiscal_year=FY,
        period=1,
        act="seizure",
        effective_on=date(2026, 11, 10),
    )
    written_off = contracts_delinquency.ArrearWrittenOff(
        nhi_household_number=household,
        fiscal_year=FY,
        period=2,
        amount=10_000,
        ground="suspension_period",
        effective_on=date(2026, 11, 20),
    )
    for _ in range(2):  # each delivered twice (another message id each time)
        for event in (renewed, written_off):
            await publish(
                running.bootstrap,
                running.delinquency_topic,
                household,
                event,
                source="/kokuho/delinquency",
            )
    # a last act on the same key (one partition, in order): once it is in, the repeats were seen
    last = renewed.model_copy(
        update={"period": 3, "act": "plan", "effective_on": date(2026, 11, 25)}
    )
    await publish(
        running.bootstrap, running.delinquency_topic, household, last, source="/kokuho/delinquency"
    )
    [published] = await running.published("jp.kokuho.collection.charge_written_off.v1", 1)
    assert published["key"] == household
    assert (published["data"]["period"], published["data"]["amount"]) == (2, 10_000)

    async def recorded() -> dict[int, dict[str, Any]] | None:
        by_period = {i["period"]: i for i in (await balance(running, household))["instalments"]}
        return by_period if by_period[3]["lapses_on"] == "2028-11-26" else None

    by_period = await eventually(recorded, what="the acts in the balance")
    assert by_period[1]["lapses_on"] == "2028-11-11"  # 2026-11-11..2028-11-10
    assert by_period[4]["lapses_on"] == "2028-10-01"  # due 2026-09-30, not renewed
    assert by_period[2]["written_off"] == 10_000
    assert (by_period[2]["paid"], by_period[2]["outstanding"]) == (0, 0)
    assert by_period[2]["written_off_on"] == "2026-11-20"
    counts = await running.fetchval(
        "SELECT count(*) FROM events WHERE event_type = ANY($1::text[])",
        [
            "jp.kokuho.collection.charge_written_off.v1",
            "jp.kokuho.collection.charge_prescription_renewed.v1",
        ],
    )
    assert counts == 3  # the second deliveries changed nothing
    paid = await running.fetchval(
        "SELECT count(*) FROM events WHERE event_type = 'jp.kokuho.collection.payment_received.v1'"
        " AND stream_id = $1",
        f"household-{household}",
    )
    assert paid == 0
    stray = renewed.model_copy(update={"nhi_household_number": "9950000098"})
    await publish(
        running.bootstrap,
        running.delinquency_topic,
        "9950000098",
        stray,
        source="/kokuho/delinquency",
    )
    dead = await read_topic(
        running.bootstrap, f"{running.delinquency_topic}.dlq", until=lambda rs: len(rs) >= 1
    )
    reasons = [dict(r.headers).get(REASON_HEADER, b"").decode() for r in dead]
    assert any("HouseholdNotFound" in reason for reason in reasons), reasons


async def test_transfer_1_to_the_tax_division_once_a_year(running: Running) -> None:
    """Issue 10, transfer 1: a batch operator transfers the premiums paid per household in an
    ended calendar year; recorded with its basis and published; the same year again changes
    nothing; a year not ended is refused; a clerk may not run it."""
    household = "9950000033"
    await running.assess(household, [10_000] * 10)
    await charged(running, household)
    url = "/api/v1/tax-deduction-transfers"
    refused = await running.client.post(url, json={"year": 2026}, headers=running.headers(OPERATOR))
    assert refused.status_code == 422, refused.text  # 2026 has not ended (today 2026-12-01)
    clerk = await running.client.post(url, json={"year": 2025}, headers=running.headers(CLERK))
    assert clerk.status_code == 403
    first = await running.client.post(url, json={"year": 2025}, headers=running.headers(OPERATOR))
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["calendar_year"], body["recipient"], body["replayed"]) == (
        2025,
        "municipal-tax-division",
        False,
    )
    again = await running.client.post(url, json={"year": 2025}, headers=running.headers(OPERATOR))
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["transfer_id"] == body["transfer_id"]
    [event] = await running.published("jp.kokuho.collection.tax_deduction_transferred.v1", 1)
    assert event["data"]["transfer_id"] == body["transfer_id"]
    assert event["data"]["flow_id"] == body["flow_id"]
    rows = await running.fetchval("SELECT count(*) FROM tax_transfers")
    assert rows == 1
