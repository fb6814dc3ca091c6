"""End to end on the real PostgreSQL and Kafka: accounts registered under four eyes, the month's
debit request file, a result file with failures producing payments and slips, the same result
file twice changing nothing, a malformed file refused with every bad line named and nothing
applied; no account number on the topic or in the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from kokuho.collection.domain import zengin
from kokuho.events.contracts import collection as contracts
from kokuho.events.testing.kafka import read_topic

from .conftest import Running
from .test_collection_journeys import CLERK, OPERATOR, charged

pytestmark = pytest.mark.integration

H1, H2 = "9950000031", "9950000032"
ACCOUNT = "7654321"


async def register(running: Running, household: str) -> None:
    entered = await running.client.post(
        f"/api/v1/households/{household}/debit-registrations",
        json={
            "bank_code": "0001",
            "branch_code": "001",
            "account_type": "ordinary",
            "account_number": ACCOUNT,
            "holder": "コクホ　ハナコ",
        },
        headers=running.headers(CLERK, user="Sato"),
    )
    assert entered.status_code == 201, entered.text
    assert entered.json()["holder_kana"] == "ｺｸﾎ ﾊﾅｺ"
    assert ACCOUNT not in entered.text
    path = (
        f"/api/v1/households/{household}/debit-registrations/"
        f"{entered.json()['registration_id']}/confirmation"
    )
    own = await running.client.post(path, headers=running.headers(CLERK, user="sato"))
    assert own.status_code == 403
    other = await running.client.post(path, headers=running.headers(CLERK, user="Tanaka"))
    assert (other.status_code, other.json()["status"]) == (200, "active")


def answered(request: str, codes: dict[int, str]) -> str:
    """The bank's result file: the request's records with their result codes filled."""
    parsed = zengin.parse(request.encode(zengin.ENCODING))
    assert parsed.header is not None
    records = [
        zengin.DebitRecord(**{**r.__dict__, "result": codes.get(i, "0"), "line": 0})
        for i, r in enumerate(parsed.records)
    ]
    return zengin.write(parsed.header, records, result=True)


async def post_results(running: Running, content: str) -> Any:
    return await running.client.post(
        "/api/v1/direct-debits/results",
        json={"file_name": "furikae-kekka.txt", "content": content},
        headers=running.headers(OPERATOR, user="U-OP"),
    )


async def test_debit_results_pay_make_slips_once_and_refuse_a_broken_file(
    running: Running,
) -> None:
    await running.assess(H1, [10_000] * 10)
    await running.assess(H2, [8_000] * 10)
    await charged(running, H1)
    await charged(running, H2)
    bad_bank = await running.client.post(
        f"/api/v1/households/{H1}/debit-registrations",
        json={
            "bank_code": "0002",
            "branch_code": "001",
            "account_type": "ordinary",
            "account_number": ACCOUNT,
            "holder": "ｺｸﾎ",
        },
        headers=running.headers(CLERK),
    )
    assert (bad_bank.status_code, bad_bank.json()["errors"][0]["pointer"]) == (
        422,
        "/body/bank_code",
    )
    await register(running, H1)
    await register(running, H2)

    request = await running.client.post(
        "/api/v1/direct-debits/requests",
        json={"debit_on": "2026-06-30"},
        headers=running.headers(OPERATOR, user="U-OP"),
    )
    assert request.status_code == 201, request.text
    assert (request.json()["count"], request.json()["total"]) == (2, 18_000)

    content = answered(request.json()["content"], {1: "1"})  # H2: 資金不足
    first = await post_results(running, content)
    assert first.status_code == 201, first.text
    assert (first.json()["applied"], first.json()["work_items"]) == (1, 1)
    [paid] = await running.published(contracts.PaymentReceived.event_type, 1)
    assert (paid["key"], paid["data"]["channel"], paid["data"]["amount"]) == (
        H1,
        "direct_debit",
        10_000,
    )
    [failed] = await running.published(contracts.DirectDebitFailed.event_type, 1)
    assert (failed["key"], failed["data"]["result_code"], failed["data"]["amount"]) == (
        H2,
        "1",
        8_000,
    )
    items = await running.client.get("/api/v1/work-items", headers=running.headers(CLERK))
    [slip] = items.json()["items"]
    assert (slip["kind"], slip["household"], slip["amount"]) == ("slip", H2, 8_000)
    owed = await running.client.get(
        f"/api/v1/households/{H2}/balance", headers=running.headers(CLERK)
    )
    assert owed.json()["instalments"][0]["outstanding"] == 8_000

    events = await running.fetchval("SELECT count(*) FROM events")
    again = await post_results(running, content)
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    assert await running.fetchval("SELECT count(*) FROM events") == events

    rows = content.encode(zengin.ENCODING).split(b"\r\n")
    rows[1] = rows[1][:119]  # a 119-byte line
    rows[2] = b"7" + rows[2][1:]  # a record type that does not exist
    rows[3] = rows[3][:7] + b"000000099999" + rows[3][19:]  # the trailer's total
    broken = await post_results(running, b"\r\n".join(rows).decode(zengin.ENCODING))
    assert broken.status_code == 422
    assert broken.json()["type"] == "urn:kokuho:problem:debit-file-refused"
    errors = broken.json()["errors"]
    assert sorted({e["pointer"] for e in errors}) == [
        "/body/content/line/2",
        "/body/content/line/3",
        "/body/content/line/4",
    ]
    reasons = [e["reason"] for e in errors]
    assert reasons[:2] == ["is 119 bytes, not 120", "kind: record type '7' is not 1, 2, 8 or 9"]
    assert "total: says 99999, the data records make 0" in reasons
    assert await running.fetchval("SELECT count(*) FROM events") == events
    assert await running.fetchval("SELECT count(*) FROM payment_imports") == 1

    on_topic = await read_topic(running.bootstrap, running.topic, until=lambda rs: len(rs) >= 22)
    assert all(ACCOUNT.encode() not in r.value for r in on_topic)
    audited = await running.fetchval(
        "SELECT count(*) FROM audit_log WHERE audit_log::text LIKE $1", f"%{ACCOUNT}%"
    )
    assert audited == 0
