"""The gateway's retention job (C-95..C-97, ADR 0097) on the real PostgreSQL and Kafka: once
eligibility has erased a person (the tombstone on its personal-details topic), the job asks the
intermediate server to delete the person's replicas and records it (C-97), deletes the binding
with its wrapped data key (crypto-shred), affairs and replicas, writes the erasure records
(C-96) an auditor lists, keeps everyone eligibility keeps, and a re-run erases nothing new."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import produce
from kokuho.linkage_gateway.adapters.counterpart_http import IntermediateServerHttp
from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.jobs import ERASURE_JOB, apply_retention
from kokuho.linkage_gateway.app import retention
from kokuho.linkage_gateway.app.ports import CounterpartUnavailable, ReplicaMessage

from .test_intermediate_server import Numbers, acquired, addressee, bind, poll, publish
from .test_simulator_processes import intermediate_server_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration

NOW = datetime(2032, 4, 2, 1, 0, tzinfo=UTC)
BOUND = "SELECT 1 FROM integrated_addressee WHERE addressee_number = $1"


async def fetch(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def registered_and_erased(
    gateway, numbers: Numbers, kafka_bootstrap: KafkaConnection
) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A bound person with a replica at the intermediate server, then erased by eligibility."""
    who = addressee()
    integrated = await bind(gateway, who, numbers())
    dsn = gateway.settings.database_dsn
    topic = gateway.settings.eligibility_topic
    await publish(kafka_bootstrap, topic, acquired(who, date(2026, 4, 1)), who)
    assert await poll(dsn, "SELECT 1 FROM replica_registrations WHERE addressee_number = $1", who)
    assert any(k[0] == integrated for k in gateway.server.replicas)
    details = gateway.settings.personal_details_topic
    await produce(kafka_bootstrap, details, [(who.encode(), None)])  # eligibility's tombstone
    assert await poll(dsn, "SELECT 1 FROM erased_persons WHERE addressee_number = $1", who)
    return who, integrated


async def test_an_erased_person_s_binding_and_replicas_go_and_are_recorded(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka_bootstrap: KafkaConnection
) -> None:
    who, integrated = await registered_and_erased(gateway, numbers, kafka_bootstrap)
    still = addressee()
    await bind(gateway, still, numbers())  # eligibility keeps this one
    dsn = gateway.settings.database_dsn
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        dry = await apply_retention(lambda: pool, gateway.server, now=NOW, dry_run=True)
        assert dry.erased[retention.BINDING] == [who]
        assert gateway.server.deleted == []
        assert await fetch(
            dsn, "SELECT 1 FROM integrated_addressee WHERE addressee_number = $1", who
        )

        report = await apply_retention(lambda: pool, gateway.server, now=NOW)
        again = await apply_retention(lambda: pool, gateway.server, now=NOW)
    finally:
        await pool.close()

    assert report.erased == {retention.BINDING: [who], retention.REPLICAS: [who]}
    assert report.kept == {retention.ELIGIBILITY_KEEPS: [still]}
    assert report.replica_deletions == 1
    # C-97: the deletion went to the intermediate server and is recorded with its receipt
    assert gateway.server.deleted == [integrated]
    assert not any(k[0] == integrated for k in gateway.server.replicas)
    (deletion,) = await fetch(
        dsn,
        "SELECT integrated_addressee_number, receipt, requested_by FROM replica_deletions"
        " WHERE addressee_number = $1",
        who,
    )
    assert deletion["integrated_addressee_number"] == integrated
    assert deletion["receipt"].startswith("del-")
    assert deletion["requested_by"] == ERASURE_JOB
    # C-96: nothing left to read, the number's data key gone with the row
    for table in ("integrated_addressee", "affair_subjects", "replicas"):
        rows = await fetch(dsn, f"SELECT 1 FROM {table} WHERE addressee_number = $1", who)
        assert rows == [], table
    resolved = await gateway.client.get(
        f"/api/v1/persons/{who}/individual-number",
        params={"affair": "nhi-eligibility"},
        headers=gateway.headers("linkage.operator"),
    )
    # no longer the affair's subject (C-02): nothing to resolve, the number is gone
    assert resolved.status_code == 403, resolved.text
    assert integrated not in resolved.text
    assert await fetch(dsn, BOUND, still)
    # idempotent: the re-run finds nothing, asks the server nothing, records nothing new
    assert (again.erased, again.replica_deletions, again.records) == ({}, 0, 0)
    assert gateway.server.deleted == [integrated]
    stores = {
        (r["data_class"], r["store"])
        for r in await fetch(
            dsn, "SELECT data_class, store FROM erasure_records WHERE subject = $1", who
        )
    }
    assert stores == {
        (c, s) for c in (retention.BINDING, retention.REPLICAS) for s in retention.STORES[c]
    }


async def test_the_auditor_lists_the_erasure_records_and_the_read_is_audited(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka_bootstrap: KafkaConnection
) -> None:
    who, _ = await registered_and_erased(gateway, numbers, kafka_bootstrap)
    dsn = gateway.settings.database_dsn
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        await apply_retention(lambda: pool, gateway.server, now=NOW)
    finally:
        await pool.close()
    refused = await gateway.client.get(
        "/api/v1/erasure-records", headers=gateway.headers("eligibility.clerk")
    )
    assert refused.status_code == 403
    listed = await gateway.client.get(
        "/api/v1/erasure-records",
        params={"limit": 2},
        headers=gateway.headers("auditor", user="U-AUD"),
    )
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [i["subject"] for i in page["items"]] == [who, who]
    assert page["items"][0]["erased_on"] == "2032-04-02"
    assert page["items"][0]["erased_by"] == ERASURE_JOB
    rest = await gateway.client.get(
        "/api/v1/erasure-records",
        params={"limit": 200, "cursor": page["next_cursor"]},
        headers=gateway.headers("auditor", user="U-AUD"),
    )
    assert len(rest.json()["items"]) == 2  # four stores in all
    bad = await gateway.client.get(
        "/api/v1/erasure-records",
        params={"cursor": "nonsense"},
        headers=gateway.headers("auditor", user="U-AUD"),
    )
    assert bad.status_code == 400
    audited = await fetch(
        dsn, "SELECT subject_addressee_numbers FROM audit_log WHERE user_id = 'U-AUD'"
    )
    assert [who] in [list(r[0]) for r in audited]
    job_trail = await fetch(dsn, "SELECT 1 FROM audit_log WHERE user_id = $1", ERASURE_JOB)
    assert job_trail


class RefusingServer(IntermediateServerSimulator):
    async def delete_replicas(self, integrated_addressee_number: str) -> str:
        raise CounterpartUnavailable("the intermediate server did not answer")


async def test_a_person_whose_replica_deletion_fails_is_kept_for_the_next_run(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka_bootstrap: KafkaConnection
) -> None:
    who, integrated = await registered_and_erased(gateway, numbers, kafka_bootstrap)
    dsn = gateway.settings.database_dsn
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        failed = await apply_retention(lambda: pool, RefusingServer(), now=NOW)
        assert failed.kept[retention.SERVER_UNAVAILABLE] == [who]
        assert failed.erased == {}
        assert await fetch(
            dsn, "SELECT 1 FROM integrated_addressee WHERE addressee_number = $1", who
        )
        done = await apply_retention(lambda: pool, gateway.server, now=NOW)
    finally:
        await pool.close()
    assert done.erased[retention.BINDING] == [who]
    assert gateway.server.deleted == [integrated]


async def test_the_replica_deletion_through_the_intermediate_server_process(
    intermediate_server_url: str,  # noqa: F811 - the imported fixture
) -> None:
    """C-97 over HTTP: the gateway's client asks the simulator process to delete a person's
    replicas; the others stay; asking again is harmless; a malformed number is refused."""
    server = IntermediateServerHttp(intermediate_server_url)
    gone, other = "1000000000000011", "1000000000000012"
    for integrated in (gone, other):
        await server.register_replica(ReplicaMessage(integrated, "nhi-qualification", 1, {}))
        await server.register_replica(ReplicaMessage(integrated, "nhi-premium", 1, {}))
    receipt = await server.delete_replicas(gone)
    assert receipt.startswith("del-")
    assert set(await server.export_replicas()) == {
        (other, "nhi-qualification"),
        (other, "nhi-premium"),
    }
    assert await server.delete_replicas(gone) == receipt
    with pytest.raises(CounterpartUnavailable):
        await server.delete_replicas("IAN-0001")


async def test_a_person_whose_details_are_recorded_again_is_kept(  # type: ignore[no-untyped-def]
    gateway, numbers: Numbers, kafka_bootstrap: KafkaConnection
) -> None:
    """Erased by eligibility, then back (moved in again) before the job ran: the new details
    on the compacted topic withdraw the note, and the job erases nothing of the person."""
    from .test_federation import personal_details

    who, integrated = await registered_and_erased(gateway, numbers, kafka_bootstrap)
    details = gateway.settings.personal_details_topic
    dsn = gateway.settings.database_dsn
    await publish(kafka_bootstrap, details, personal_details(who), who)
    assert await poll(
        dsn,
        "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM erased_persons WHERE addressee_number = $1)",
        who,
    )
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        report = await apply_retention(lambda: pool, gateway.server, now=NOW)
    finally:
        await pool.close()
    assert report.erased == {}
    assert report.kept == {retention.ELIGIBILITY_KEEPS: [who]}
    assert gateway.server.deleted == []
    assert any(k[0] == integrated for k in gateway.server.replicas)
    assert await fetch(dsn, BOUND, who)
