"""Issue 17, backups (ADR 0052): `make backup` / `make restore` (deploy/local/backup.py) on the
real PostgreSQL and Kafka. A service database backed up while its consumer runs, restored into
a fresh cluster after more events were published, catches up from Kafka to the very read model
the live database has; a damaged backup, or one that would overwrite a database, is refused
before anything changes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from kokuho.assessment.bootstrap import build
from kokuho.assessment.config import Settings
from kokuho.events.contracts import EventContract
from kokuho.events.contracts.eligibility import (
    HouseholdRegistered,
    QualificationAcquired,
    QualificationLost,
)
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import publish
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    fresh_cluster,
    migrated_database,
    on_port,
    serving,
)
from kokuho.platform.token import new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "deploy" / "local" / "backup.py"
MIGRATIONS = ROOT / "services" / "assessment" / "migrations"
SINCE = date(2026, 4, 1)
#: the read model assessment keeps from eligibility's events
READ_MODEL = (
    "SELECT nhi_household_number, householder_addressee_number FROM households"
    " ORDER BY nhi_household_number",
    "SELECT nhi_household_number, addressee_number, acquisition_date, loss_date"
    " FROM household_members ORDER BY nhi_household_number, addressee_number",
)


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


async def read_model(dsn: str) -> list[list[tuple[object, ...]]]:
    conn = await asyncpg.connect(dsn)
    try:
        return [[tuple(r) for r in await conn.fetch(sql)] for sql in READ_MODEL]
    finally:
        await conn.close()


async def until(dsn: str, wanted: object, timeout: float = 60.0) -> list[list[tuple[object, ...]]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        seen = await read_model(dsn)
        if seen == wanted or asyncio.get_running_loop().time() > deadline:
            return seen
        await asyncio.sleep(0.2)


def moved_in(household: str, person: str) -> list[EventContract]:
    change = uuid.uuid4()
    return [
        HouseholdRegistered(
            change_id=change,
            entered_by="E1",
            confirmed_by="E2",
            nhi_household_number=household,
            householder_addressee_number=person,
            deemed_householder=False,
            effective_date=SINCE,
        ),
        QualificationAcquired(
            change_id=change,
            entered_by="E1",
            confirmed_by="E2",
            addressee_number=person,
            nhi_household_number=household,
            insured_number="12345678",
            card_symbol="広島",
            card_number="1",
            branch_number="01",
            acquisition_date=SINCE,
            acquisition_reason="moved_in",
            fact_date=SINCE,
            notification_date=SINCE + timedelta(days=2),
            late_notification=False,
            birth_date=date(1980, 5, 5),
            relationship="householder",
            householder_addressee_number=person,
        ),
    ]


def moved_out(household: str, person: str) -> QualificationLost:
    return QualificationLost(
        change_id=uuid.uuid4(),
        entered_by="E1",
        confirmed_by="E2",
        addressee_number=person,
        nhi_household_number=household,
        insured_number="12345678",
        loss_date=date(2026, 10, 1),
        loss_reason="moved_out",
        fact_date=date(2026, 9, 30),
        notification_date=date(2026, 10, 2),
        late_notification=False,
        remains_in_household=False,
    )


class City:
    def __init__(self, kafka: KafkaConnection, topics: OwnTopics) -> None:
        self.kafka = kafka  # the set-up's super user: publishes as eligibility would
        self.topics = topics
        run = uuid.uuid4().int % 10**8
        self.people = {f"1{run:08d}{i}": f"2{run:08d}{i}" for i in range(6)}

    async def move_in(self, *households: str) -> None:
        for h in households:
            await self.publish(h, *moved_in(h, self.people[h]))

    async def publish(self, household: str, *events: EventContract) -> None:
        await publish(
            self.kafka,
            self.topics.eligibility_events,
            household,
            *events,
            source="/kokuho/eligibility",
            subject=f"household-{household}",
        )

    @asynccontextmanager
    async def assessment(self, dsn: str) -> AsyncIterator[None]:
        settings = Settings(
            database_dsn=dsn,
            kafka_bootstrap_servers=self.kafka.bootstrap_servers,
            **self.topics.assessment(),
        )
        app = build(settings, token_verifier=TokenVerifier([new_private_key("ES256").public_key()]))
        async with serving(app, "assessment"):
            yield


async def test_a_restored_database_catches_up_from_kafka(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    city = City(kafka, own_topics)
    first, later = list(city.people)[:3], list(city.people)[3:]
    backup = str(tmp_path / "b")
    rewinding = ("--rewind", f"{own_topics.consumer_group_prefix}.assessment.")
    with fresh_cluster(pg_admin_dsn, label="restore") as fresh_admin:
        async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
            database = urlsplit(dsn).path.lstrip("/")
            restored_dsn = on_port(dsn, urlsplit(fresh_admin).port or 0)
            async with city.assessment(dsn):
                await city.move_in(*first)
                backed_up = await _settled(dsn, expected_households=3)
                made = tool(
                    "backup", "--out", backup, "--database", database, "--admin-dsn", pg_admin_dsn
                )
                assert made.returncode == 0, made.stderr
                await city.move_in(*later)
                await city.publish(first[0], moved_out(first[0], city.people[first[0]]))
                live = await _settled(dsn, expected_households=6, losses=1)
                # the service still consumes: refused before anything is restored
                busy = tool(
                    "restore", backup, "--admin-dsn", fresh_admin, *rewinding,
                    "--bootstrap", kafka.bootstrap_servers,
                )  # fmt: skip
                assert busy.returncode == 2, busy.stdout + busy.stderr
                assert "has members: stop its service before restoring" in busy.stderr
                assert database not in await databases(fresh_admin)
            assert live != backed_up

            restored = tool(
                "restore", backup, "--admin-dsn", fresh_admin, *rewinding,
                "--bootstrap", kafka.bootstrap_servers,
            )  # fmt: skip
            assert restored.returncode == 0, restored.stderr
            assert "partition(s) rewound" in restored.stdout
            assert await read_model(restored_dsn) == backed_up  # as it was at the backup

            async with city.assessment(restored_dsn):
                caught_up = await until(restored_dsn, live)
                # a database in use is never replaced
                in_use = tool("restore", backup, "--admin-dsn", fresh_admin, "--replace",
                              "--no-rewind")  # fmt: skip
                assert in_use.returncode == 2
                assert f"{database} in use: stop the services" in in_use.stderr
            assert caught_up == live

            again = tool("restore", backup, "--admin-dsn", fresh_admin, "--no-rewind")
            assert again.returncode == 2
            assert f"{database} exist in the target cluster" in again.stderr


async def databases(admin_dsn: str) -> set[str]:
    conn = await asyncpg.connect(admin_dsn)
    try:
        return {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
    finally:
        await conn.close()


async def _settled(
    dsn: str, *, expected_households: int, losses: int = 0
) -> list[list[tuple[object, ...]]]:
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        households, members = await read_model(dsn)
        lost = sum(1 for m in members if m[3] is not None)
        # each household here has one member, from its own event (QualificationAcquired after
        # HouseholdRegistered): both applied, or a backup taken now holds more than was read
        settled = len(households) == len(members) == expected_households
        if settled and lost == losses:
            return [households, members]
        assert asyncio.get_running_loop().time() < deadline, (households, members)
        await asyncio.sleep(0.2)


async def test_a_damaged_backup_is_refused_before_anything_changes(
    pg_admin_dsn: str, fresh_database: str, tmp_path: Path
) -> None:
    database = urlsplit(fresh_database).path.lstrip("/")
    conn = await asyncpg.connect(fresh_database)
    try:
        await conn.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)")
    finally:
        await conn.close()
    made = tool(
        "backup", "--out", str(tmp_path / "b"), "--database", database,
        "--admin-dsn", pg_admin_dsn,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    conn = await asyncpg.connect(fresh_database)
    try:
        await conn.execute("INSERT INTO kept VALUES (2)")  # after the backup
    finally:
        await conn.close()
    archive = tmp_path / "b" / f"{database}.dump"
    archive.write_bytes(archive.read_bytes()[:-10])
    refused = tool("restore", str(tmp_path / "b"), "--admin-dsn", pg_admin_dsn, "--replace")
    assert refused.returncode == 2
    assert f"{database}.dump does not match its checksum; nothing restored" in refused.stderr
    conn = await asyncpg.connect(fresh_database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM kept") == 2  # not replaced
    finally:
        await conn.close()
    missing = tool(
        "backup", "--out", str(tmp_path / "c"), "--database", "no_such_db",
        "--admin-dsn", pg_admin_dsn,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "no such database: no_such_db" in missing.stderr
    assert not (tmp_path / "c").exists()
