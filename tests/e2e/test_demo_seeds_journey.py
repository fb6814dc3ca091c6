"""The demo seeds of eligibility, collection and delinquency agree, on the real PostgreSQL and
Kafka: what delinquency's demo cases publish (a seizure's proceeds, a renewal of 時効, the
特別療養費 flag) is applied by collection and eligibility, and nothing is dead-lettered.

``make run`` seeds every service and serves them together; a demo case about a household that
another service's demo does not know used to end on the dead-letter topic (ERROR lines in the
logs of a fresh ``make run``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from kokuho.collection import bootstrap as collection_bootstrap
from kokuho.collection import commands as collection_commands
from kokuho.collection import config as collection_config
from kokuho.delinquency import bootstrap as delinquency_bootstrap
from kokuho.delinquency import commands as delinquency_commands
from kokuho.delinquency import config as delinquency_config
from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import commands as eligibility_commands
from kokuho.eligibility import config as eligibility_config
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.runtime.topics import dead_letter_topic
from kokuho.events.testing.kafka import read_topic
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    eventually,
    migrated_database,
    outbox_relayed,
    serving,
)
from kokuho.platform.testing import staff_headers as headers
from kokuho.platform.token import new_private_key
from tests.faults.checks import lag

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


async def _special_care_from(dsn: str, household: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(
            "SELECT special_care_from FROM households WHERE nhi_household_number = $1", household
        )
    finally:
        await conn.close()


async def _dead_letters(kafka: KafkaConnection, topics: list[str]) -> str:
    """What the dead-letter topics of ``topics`` hold (a topic never made holds nothing)."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    found = []
    for topic in topics:
        if dead_letter_topic(topic) in existing:
            records = await read_topic(kafka, dead_letter_topic(topic))
            found += [f"{r.headers!r}" for r in records]
    return "\n".join(found)


async def test_what_the_demo_cases_publish_is_applied_and_nothing_is_dead_lettered(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    now = datetime.now(UTC)
    async with (
        migrated_database(pg_admin_dsn, ROOT / "services/eligibility/migrations") as e_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/collection/migrations") as c_dsn,
        migrated_database(pg_admin_dsn, ROOT / "services/delinquency/migrations") as d_dsn,
    ):
        eligibility = eligibility_config.Settings(
            database_dsn=e_dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            turning_75_daily=False,
            resident_register_poll_seconds=None,
            seed_households=3,
            print_dir=tmp_path / "print",
            **own_topics.eligibility(),
        )
        collection = collection_config.Settings(
            database_dsn=c_dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            **own_topics.collection(),
        )
        delinquency = delinquency_config.Settings(
            database_dsn=d_dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            **own_topics.delinquency(),
        )
        # seeded as make run seeds them: each before it serves
        await eligibility_commands.seed(eligibility)
        await collection_commands.seed(collection)
        seeded = await delinquency_commands.seed(delinquency, lambda: now)
        assert "9 delinquency cases" in seeded
        special = delinquency_commands.SPECIAL_CARE_HOUSEHOLD
        e_app = eligibility_bootstrap.build(eligibility, token_verifier=verifier)
        c_app = collection_bootstrap.build(collection, token_verifier=verifier)
        d_app = delinquency_bootstrap.build(delinquency, token_verifier=verifier)
        async with (
            serving(e_app, "eligibility") as e_client,
            serving(c_app, "collection") as c_client,
            serving(d_app, "delinquency"),
        ):
            for dsn in (e_dsn, c_dsn, d_dsn):
                async with asyncpg.create_pool(dsn, min_size=1, max_size=1) as pool:
                    await outbox_relayed(pool)
            prefix = own_topics.consumer_group_prefix

            consumers = {
                "collection.delinquency": delinquency.events_topic,
                "eligibility.delinquency": delinquency.events_topic,
                "delinquency.collection": collection.events_topic,
            }

            async def caught_up() -> bool:
                waiting = [await lag(kafka, f"{prefix}.{g}", [t]) for g, t in consumers.items()]
                return sum(waiting) == 0

            await eventually(caught_up, timeout=120, what="every consumer at the end of its topic")

            clerk = headers(key, "clerk-1", "eligibility.clerk", terminal_id="T-E2E")
            household = await e_client.get(f"/api/v1/households/{special}", headers=clerk)
            assert household.status_code == 200, household.text
            assert await _special_care_from(e_dsn, special) is not None
            # the plan (9930000004) and the seizure (9930000006) renewed 時効 of the arrears they
            # are about (the first instalment) from the act: it now lapses after the second one
            collector = headers(key, "clerk-2", "collection.clerk", terminal_id="T-E2E")
            for renewed in ("9930000004", "9930000006"):
                balance = await c_client.get(
                    f"/api/v1/households/{renewed}/balance", headers=collector
                )
                assert balance.status_code == 200, balance.text
                first, second = balance.json()["instalments"][:2]
                assert first["lapses_on"] > second["lapses_on"], (renewed, first, second)

        topics = [delinquency.events_topic, collection.events_topic, eligibility.events_topic]
        assert await _dead_letters(kafka, topics) == ""
