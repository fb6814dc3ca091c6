"""Federation exchange on the real PostgreSQL and Kafka: insured changes from eligibility's
events are sent as one file with a ledger entry (C-58); the daily continuation file is
validated all or nothing (C-16) and reconciled into differences staff confirm (C-20, C-21),
which then reach eligibility as events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import asyncpg
import httpx
import pytest

from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import produce
from kokuho.linkage_gateway.adapters.jobs import scheduled_federation_send
from kokuho.linkage_gateway.domain.federation import INDIVIDUAL_NUMBER_IN_FILE
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

from ..conftest import read_until
from .test_intermediate_server import acquired, addressee, lost, poll, publish

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]
BATCH = "batch.operator"
OPERATOR = "linkage.operator"


async def test_insured_changes_are_sent_once_with_a_ledger_entry(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    a, b = addressee(), addressee()
    topic = gateway.settings.eligibility_topic
    details = gateway.settings.personal_details_topic
    await publish(kafka, details, personal_details(a), a)
    assert await poll(
        gateway.settings.database_dsn, "SELECT 1 FROM card_names WHERE addressee_number = $1", a
    )
    await publish(kafka, topic, acquired(a, date(2026, 4, 1)), a)
    await publish(kafka, topic, acquired(b, date(2026, 4, 3)), b)
    await publish(kafka, topic, lost(b, date(2026, 8, 1)), b)
    dsn = gateway.settings.database_dsn
    rows = await poll(dsn, "SELECT 1 FROM insured_changes WHERE change = 'lost'")
    assert rows

    r = await gateway.client.post(
        "/api/v1/federation/transmissions",
        headers={**gateway.headers(BATCH, user="U-BATCH"), "Idempotency-Key": "send-1"},
    )
    assert r.status_code == 201, r.text
    sent = r.json()["transmission"]
    assert sent["record_count"] == 3
    assert sent["sent_by"] == "U-BATCH"
    content = gateway.federation.received[sent["file_name"]].decode()
    lines = content.splitlines()
    assert lines[0].startswith("H,KKH-IDO,3,")
    assert lines[-1] == "T,3"
    # (no number is bound for these two: the number field is empty, S3)
    assert f"D,acquired,{a},5000000001,12345678,広,1234,01,2026-04-01,,{KANA},{NAME}," in lines
    # The loss repeats the card items of the person's earlier change.
    assert f"D,lost,{b},5000000001,12345678,広,1234,01,2026-04-03,2026-08-01,,," in lines

    replay = await gateway.client.post(
        "/api/v1/federation/transmissions",
        headers={**gateway.headers(BATCH, user="U-BATCH"), "Idempotency-Key": "send-1"},
    )
    assert replay.json() == r.json()
    nothing = await gateway.client.post(
        "/api/v1/federation/transmissions", headers=gateway.headers(BATCH, user="U-BATCH")
    )
    assert nothing.status_code == 200
    assert nothing.json() == {"sent": False, "transmission": None}

    ledger = await gateway.client.get(
        "/api/v1/federation/transmissions", headers=gateway.headers("auditor")
    )
    assert [t["file_name"] for t in ledger.json()["items"]] == [sent["file_name"]]
    assert len(gateway.federation.received) == 1

    # C-58: the ledger can be queried by day (Japan time).
    today = datetime.now(UTC).astimezone(timezone(timedelta(hours=9))).date()

    async def ledger_between(**period: str) -> httpx.Response:
        return await gateway.client.get(
            "/api/v1/federation/transmissions", params=period, headers=gateway.headers("auditor")
        )

    on_the_day = await ledger_between(on_or_after=str(today), on_or_before=str(today))
    assert [t["file_name"] for t in on_the_day.json()["items"]] == [sent["file_name"]]
    earlier = await ledger_between(on_or_before=str(today - timedelta(days=1)))
    assert earlier.json()["items"] == []
    later = await ledger_between(on_or_after=str(today + timedelta(days=1)))
    assert later.json()["items"] == []
    backwards = await ledger_between(on_or_after=str(today), on_or_before="2000-01-01")
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["pointer"] == "/query/on_or_before"


NAME, KANA = "広島 花子", "ヒロシマ ハナコ"


def personal_details(who: str) -> PersonalDetailsRecorded:
    return PersonalDetailsRecorded(
        addressee_number=who,
        nhi_household_number="5000000001",
        name=NAME,
        name_kana=KANA,
        sex="female",
        birth_date=date(1980, 5, 5),
        address="広島市中区",
        as_of=date(2026, 4, 1),
    )


async def test_a_tombstone_erases_the_names_on_the_card(gateway, kafka: KafkaConnection) -> None:  # type: ignore[no-untyped-def]
    who = addressee()
    details = gateway.settings.personal_details_topic
    dsn = gateway.settings.database_dsn
    await publish(kafka, details, personal_details(who), who)
    assert await poll(dsn, "SELECT 1 FROM card_names WHERE addressee_number = $1", who)
    await produce(kafka, details, [(who.encode(), None)])  # the tombstone
    gone = await poll(
        dsn,
        "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM card_names WHERE addressee_number = $1)",
        who,
    )
    assert gone


def continuation(lines: list[str]) -> str:
    return "\n".join(["H,KKH-SKK,1,2026-09-02", *lines, f"T,{len(lines)}"]) + "\n"


async def test_a_bad_line_rejects_the_whole_file_and_changes_nothing(gateway) -> None:  # type: ignore[no-untyped-def]
    text = continuation(
        [
            f"D,{addressee()},10000001,2026-04-01,",
            f"D,{addressee()},1000000X,2026-04-01,",
            f"D,{addressee()},10000003,2026-02-30,",
        ]
    )
    r = await gateway.client.post(
        "/api/v1/federation/continuation-files",
        json={"file_name": "KKH-SKK-20260902.csv", "content": text},
        headers=gateway.headers(BATCH),
    )
    assert r.status_code == 422
    body = r.json()
    assert body["type"].endswith("federation-file-rejected")
    assert [(e["pointer"], e["reason"]) for e in body["errors"]] == [
        ("/body/content/line/3", "insured_number must be 8 digits"),
        ("/body/content/line/4", "acquisition_date is not a date (YYYY-MM-DD)"),
    ]
    assert "C-16 alert: an inbound federation file was rejected" in gateway.logs.lines
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM continuation_files") == 0
        assert await conn.fetchval("SELECT count(*) FROM continuation_differences") == 0
    finally:
        await conn.close()


async def test_an_inbound_file_carrying_an_individual_number_is_refused_with_an_alert(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers
) -> None:
    number = numbers().value
    text = continuation(
        [f"D,{addressee()},10000001,2026-04-01,", f"D,{number},10000002,2026-04-01,"]
    )
    r = await gateway.client.post(
        "/api/v1/federation/continuation-files",
        json={"file_name": "KKH-SKK-20260903.csv", "content": text},
        headers=gateway.headers(BATCH),
    )
    assert r.status_code == 422
    assert ("/body/content/line/3", f"{INDIVIDUAL_NUMBER_IN_FILE}: field 2") in [
        (e["pointer"], e["reason"]) for e in r.json()["errors"]
    ]
    assert number not in r.text
    logs = "\n".join(gateway.logs.lines)
    assert "C-19 alert" in logs
    assert number not in logs
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM continuation_files") == 0
        assert await conn.fetchval("SELECT count(*) FROM continuation_differences") == 0
    finally:
        await conn.close()


async def test_a_file_dated_after_today_is_not_of_this_cycle(gateway) -> None:  # type: ignore[no-untyped-def]
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    daily = f"H,KKH-SKK,1,{tomorrow}\nD,{addressee()},10000001,2026-04-01,\nT,1\n"
    monthly = f"H,KKH-KGK,1,{tomorrow},confirmed,2026-08\nT,0\n"
    for path, text in (("continuation-files", daily), ("high-cost-carry-over-lists", monthly)):
        r = await gateway.client.post(
            f"/api/v1/federation/{path}",
            json={"file_name": f"early-{path}.csv", "content": text},
            headers=gateway.headers(BATCH),
        )
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["pointer"] == "/body/content/line/1"
        assert "not of this cycle" in r.json()["errors"][0]["reason"]
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM continuation_files") == 0
        assert await conn.fetchval("SELECT count(*) FROM carry_over_files") == 0
    finally:
        await conn.close()


async def test_differences_wait_for_staff_and_confirmed_ones_are_published(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    same, differs, unknown = addressee(), addressee(), addressee()
    topic = gateway.settings.eligibility_topic
    await publish(kafka, topic, acquired(same, date(2026, 4, 1)), same)
    await publish(kafka, topic, acquired(differs, date(2026, 4, 1)), differs)
    dsn = gateway.settings.database_dsn
    assert await poll(dsn, "SELECT 1 FROM replicas WHERE addressee_number = $1", differs)

    text = continuation(
        [
            f"D,{same},12345678,2026-04-01,",
            f"D,{differs},12345678,2026-04-01,2026-07-31",
            f"D,{unknown},22345678,2025-10-01,",
        ]
    )
    r = await gateway.client.post(
        "/api/v1/federation/continuation-files",
        json={"file_name": "KKH-SKK-20260902.csv", "content": text},
        headers=gateway.headers(BATCH),
    )
    assert r.status_code == 201, r.text
    assert r.json()["records"] == 3
    assert r.json()["differences"] == 2
    again = await gateway.client.post(
        "/api/v1/federation/continuation-files",
        json={"file_name": "KKH-SKK-20260902-again.csv", "content": text},
        headers=gateway.headers(BATCH),
    )
    assert again.status_code == 409

    listing = await gateway.client.get(
        "/api/v1/federation/differences", headers=gateway.headers(OPERATOR)
    )
    found = {(d["addressee_number"], d["kind"]): d for d in listing.json()["items"]}
    assert set(found) == {(differs, "loss-date"), (unknown, "unknown-to-us")}
    assert found[(differs, "loss-date")]["our_loss_date"] is None
    assert found[(differs, "loss-date")]["federation_loss_date"] == "2026-07-31"

    # Nothing reached eligibility before a person confirmed.
    conn = await asyncpg.connect(dsn)
    try:
        before = await conn.fetchval(
            "SELECT count(*) FROM events WHERE event_type LIKE '%federation_difference_confirmed%'"
        )
    finally:
        await conn.close()
    assert before == 0
    target = found[(differs, "loss-date")]["id"]
    confirmed = await gateway.client.post(
        f"/api/v1/federation/differences/{target}/confirmation",
        headers=gateway.headers(OPERATOR, user="U-CONFIRM"),
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["decided_by"] == "U-CONFIRM"
    twice = await gateway.client.post(
        f"/api/v1/federation/differences/{target}/confirmation",
        headers=gateway.headers(OPERATOR),
    )
    assert twice.status_code == 404

    record = await read_until(
        kafka, gateway.settings.events_topic, differs.encode(), b"federation_difference"
    )
    assert b'"federation_loss_date":"2026-07-31"' in record
    assert b"U-CONFIRM" in record


async def test_the_scheduled_send_records_and_audits_its_run(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    who = addressee()
    await publish(kafka, gateway.settings.eligibility_topic, acquired(who, date(2026, 5, 1)), who)
    dsn = gateway.settings.database_dsn
    assert await poll(dsn, "SELECT 1 FROM insured_changes WHERE addressee_number = $1", who)
    await scheduled_federation_send(gateway.app.state.kit)
    await scheduled_federation_send(gateway.app.state.kit)  # nothing left: no second file
    assert len(gateway.federation.received) == 1
    conn = await asyncpg.connect(dsn)
    try:
        ledger = await conn.fetch("SELECT sent_by, record_count FROM federation_transmissions")
        audited = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE user_id = 'system:federation-schedule'"
        )
    finally:
        await conn.close()
    assert [(r["sent_by"], r["record_count"]) for r in ledger] == [
        ("system:federation-schedule", 1)
    ]
    assert audited == 1


async def test_the_carry_over_list_reaches_benefits_as_events_or_not_at_all(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    household = addressee()
    good = (
        "H,KKH-KGK,1,2026-09-05,confirmed,2026-08\n"
        f"D,{household},1000000001,340001,3,2026-07\n"
        "T,1\n"
    )
    bad = good.replace(",3,2026-07", ",30,2026-07")
    headers = gateway.headers(BATCH)
    refused = await gateway.client.post(
        "/api/v1/federation/high-cost-carry-over-lists",
        json={"file_name": "KKH-KGK-202608.csv", "content": bad},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"pointer": "/body/content/line/2", "reason": "high_cost_months must be 0 to 12"}
    ]
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM carry_over_files") == 0
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM events WHERE event_type LIKE '%high_cost_carry_over%'"
            )
            == 0
        )
    finally:
        await conn.close()

    ok = await gateway.client.post(
        "/api/v1/federation/high-cost-carry-over-lists",
        json={"file_name": "KKH-KGK-202608.csv", "content": good},
        headers=headers,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json() == {"households": 1}
    twice = await gateway.client.post(
        "/api/v1/federation/high-cost-carry-over-lists",
        json={"file_name": "KKH-KGK-202608-b.csv", "content": good},
        headers=headers,
    )
    assert twice.status_code == 409
    value = await read_until(
        kafka, gateway.settings.events_topic, household.encode(), b"high_cost_carry_over"
    )
    assert b'"high_cost_months":3' in value
    assert b'"kind":"confirmed"' in value


async def test_a_send_cut_off_midway_resends_the_same_prepared_file(  # type: ignore[no-untyped-def]
    gateway, kafka: KafkaConnection
) -> None:
    who = addressee()
    await publish(kafka, gateway.settings.eligibility_topic, acquired(who, date(2026, 5, 1)), who)
    dsn = gateway.settings.database_dsn
    assert await poll(dsn, "SELECT 1 FROM insured_changes WHERE addressee_number = $1", who)
    real_send = gateway.federation.send

    async def line_down(file_name: str, content: bytes) -> str:
        raise ConnectionRefusedError("federation line down")

    gateway.federation.send = line_down
    down = await gateway.client.post(
        "/api/v1/federation/transmissions", headers=gateway.headers(BATCH)
    )
    assert down.status_code == 503
    assert down.json()["type"].endswith("federation-unavailable")
    conn = await asyncpg.connect(dsn)
    try:
        prepared = await conn.fetch("SELECT file_name, status FROM federation_transmissions")
    finally:
        await conn.close()
    assert [r["status"] for r in prepared] == ["prepared"]  # in the ledger before it left

    gateway.federation.send = real_send
    # A change arriving meanwhile waits for the next file; the prepared one goes out as it was.
    other = addressee()
    await publish(
        kafka,
        gateway.settings.eligibility_topic,
        acquired(other, date(2026, 5, 2)),
        other,
    )
    assert await poll(dsn, "SELECT 1 FROM insured_changes WHERE addressee_number = $1", other)
    up = await gateway.client.post(
        "/api/v1/federation/transmissions", headers=gateway.headers(BATCH)
    )
    assert up.status_code == 201, up.text
    assert up.json()["transmission"]["file_name"] == prepared[0]["file_name"]
    assert up.json()["transmission"]["status"] == "sent"
    assert up.json()["transmission"]["record_count"] == 1
    nxt = await gateway.client.post(
        "/api/v1/federation/transmissions", headers=gateway.headers(BATCH)
    )
    assert nxt.json()["transmission"]["sequence"] == 2
    assert other in gateway.federation.received[nxt.json()["transmission"]["file_name"]].decode()
    assert len(gateway.federation.received) == 2
