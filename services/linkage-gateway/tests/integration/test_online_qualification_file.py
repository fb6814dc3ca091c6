"""The online-qualification (S3) registration file with the individual number (issue 13), on
the real PostgreSQL and Kafka: the KKH-IDO v3 file the federation receives carries each bound
person's number, put in by the gateway as the file leaves; the ledger copy, every table, the
gateway's topic and the logs never hold it (the gateway's number scan); a send that failed
delivers the same file, numbers included, on the next send."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import asyncpg
import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import topic_text
from kokuho.linkage_gateway.domain.federation import NUMBER_MASK
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.platform.testing import database_text, individual_numbers_by_place

from .test_intermediate_server import acquired, addressee, bind, poll, publish

pytestmark = pytest.mark.integration

Numbers = Callable[[], IndividualNumber]
BATCH = "batch.operator"


async def send(gateway) -> dict[str, object]:  # type: ignore[no-untyped-def]
    r = await gateway.client.post(
        "/api/v1/federation/transmissions", headers=gateway.headers(BATCH, user="U-BATCH")
    )
    assert r.status_code == 201, r.text
    return dict(r.json()["transmission"])


async def test_the_file_carries_the_bound_numbers_and_nothing_else_keeps_them(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    bound, waiting = addressee(), addressee()
    number = numbers()
    await bind(gateway, bound, number)
    topic = gateway.settings.eligibility_topic
    await publish(kafka, topic, acquired(bound, date(2026, 4, 1)), bound)
    await publish(kafka, topic, acquired(waiting, date(2026, 4, 2)), waiting)
    dsn = gateway.settings.database_dsn
    for who in (bound, waiting):
        assert await poll(dsn, "SELECT 1 FROM insured_changes WHERE addressee_number = $1", who)

    sent = await send(gateway)
    text = gateway.federation.received[str(sent["file_name"])].decode()
    lines = {line.split(",")[2]: line.split(",") for line in text.splitlines()[1:-1]}
    assert text.startswith("H,KKH-IDO,3,")
    assert lines[bound][12] == number.value
    assert lines[waiting][12] == ""  # not bound yet: the federation lists it for confirmation
    assert NUMBER_MASK not in text

    conn = await asyncpg.connect(dsn)
    try:
        kept = bytes(
            await conn.fetchval(
                "SELECT content FROM federation_transmissions WHERE file_name = $1",
                sent["file_name"],
            )
        ).decode()
        audit = await conn.fetchrow(
            "SELECT subject_addressee_numbers AS subjects, detail FROM audit_log"
            " WHERE user_id = 'U-BATCH'"
            " AND operation LIKE 'POST /api/v1/federation/transmissions%'"
        )
    finally:
        await conn.close()
    # The ledger keeps the file as sent with the mask where the number went.
    assert kept == text.replace(number.value, NUMBER_MASK)
    assert audit is not None
    assert list(audit["subjects"]) == [bound]  # whose number was opened and sent
    detail = audit["detail"] if isinstance(audit["detail"], dict) else json.loads(audit["detail"])
    assert detail["individual_numbers"] == 1

    places = {
        "linkage-gateway database": await database_text(dsn),
        "linkage-gateway topic": await topic_text(kafka, gateway.settings.events_topic),
        "logs": "\n".join(gateway.logs.lines),
    }
    assert bound in places["linkage-gateway database"]  # the scan does see the data
    assert individual_numbers_by_place(places) == {}


class FailingOnce:
    """The federation's line down for one send, then up again."""

    def __init__(self, federation) -> None:  # type: ignore[no-untyped-def]
        self.federation = federation
        self.failed = False

    async def send(self, file_name: str, content: bytes) -> str:
        if not self.failed:
            self.failed = True
            raise ConnectionError("line down")
        return str(await self.federation.send(file_name, content))


async def test_a_failed_send_delivers_the_same_file_with_the_numbers_next_time(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka: KafkaConnection
) -> None:
    who = addressee()
    number = numbers()
    await bind(gateway, who, number)
    await publish(kafka, gateway.settings.eligibility_topic, acquired(who, date(2026, 4, 1)), who)
    dsn = gateway.settings.database_dsn
    assert await poll(dsn, "SELECT 1 FROM insured_changes WHERE addressee_number = $1", who)
    kit = gateway.app.state.kit
    line = FailingOnce(gateway.federation)
    real = kit.ports.federation
    object.__setattr__(kit.ports, "federation", line)
    try:
        down = await gateway.client.post(
            "/api/v1/federation/transmissions", headers=gateway.headers(BATCH)
        )
        assert down.status_code == 503, down.text
        assert number.value not in down.text
        assert gateway.federation.received == {}
        again = await send(gateway)
    finally:
        object.__setattr__(kit.ports, "federation", real)
    text = gateway.federation.received[str(again["file_name"])].decode()
    assert text.splitlines()[1].split(",")[12] == number.value
    assert number.value not in "\n".join(gateway.logs.lines)
