"""A served process loads before it serves what its first requests would otherwise wait for
(issue 15): the name policy's fonts (read on the event loop, ~0.25 s, every request in flight
behind it), the codecs of the array types the platform binds (a catalog lookup inside the first
audited write of each connection) and the pool's connections themselves (opened inside a
request when a burst needed one)."""

from __future__ import annotations

import gc
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.databases import temporary_database
from kokuho.platform import audit as audit_module
from kokuho.platform import commands, names
from kokuho.platform.commands import ServiceDefinition, main
from kokuho.platform.database import create_pool
from kokuho.platform.documents.fonts import STACKS, Face, MissingFont, coverage
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.testing import OwnTopics, kafka_settings


def _serve(monkeypatch: pytest.MonkeyPatch, run: Any) -> int:
    async def no_refusal(*_: Any) -> None:
        return None

    monkeypatch.delenv("KOKUHO_PG_ADMIN_DSN", raising=False)
    monkeypatch.setattr(commands.uvicorn, "run", run)
    monkeypatch.setattr(commands, "superuser_login_refusal", no_refusal)
    definition = ServiceDefinition(
        settings=lambda: ServiceSettings(
            service_name="warm",
            database_dsn="postgresql://x@127.0.0.1/x",
            kafka_username="warm",
            kafka_password=SecretStr("not used: nothing connects"),
        ),
        build_app=lambda _: FastAPI(),
        migrations=Path("migrations"),
    )
    gc.unfreeze()
    try:
        return main(definition, ["serve"])
    finally:
        gc.unfreeze()  # the rest of the test session collects as before


def test_serve_reads_the_name_fonts_before_it_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []

    def run(app: FastAPI, **options: Any) -> None:
        read.append(coverage.cache_info().currsize)

    coverage.cache_clear()
    assert _serve(monkeypatch, run) == 0
    assert read == [len(STACKS[Face.NAME])]


def test_a_missing_name_font_stops_serve_before_it_serves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[FastAPI] = []

    def missing(face: Face) -> Any:
        raise MissingFont(face, [Path("/nowhere") / face.file_name])

    monkeypatch.setattr(names, "coverage", missing)
    assert _serve(monkeypatch, lambda app, **_: served.append(app)) == 2
    assert served == []
    assert "cannot start: font IPAmjMincho (ipamjm.ttf) is not installed" in capsys.readouterr().err


@pytest.mark.integration
async def test_a_pooled_connection_binds_the_platforms_arrays_without_a_catalog_lookup(
    pg_admin_dsn: str,
) -> None:
    settings = ServiceSettings(service_name="warm", database_dsn=pg_admin_dsn)
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            queries: list[str] = []
            conn.add_query_logger(lambda logged: queries.append(logged.query))
            got = await conn.fetchval(
                "SELECT cardinality($1::uuid[]) + cardinality($2::timestamptz[])"
                " + cardinality($3::int[])",
                [uuid.uuid4()],
                [datetime.now(UTC)],
                [1, 2],
            )
    finally:
        await pool.close()
    assert got == 4
    # the statement itself (then the pool's reset on release): no typeinfo lookup before it
    assert queries[0].startswith("SELECT cardinality"), queries
    assert not [q for q in queries if "typeinfo" in q], queries


@pytest.mark.integration
async def test_the_services_pool_is_open_at_its_size_when_eventing_starts(
    pg_admin_dsn: str, kafka: KafkaConnection
) -> None:
    async with temporary_database(pg_admin_dsn, events_schema=True) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await audit_module.install(conn)
        finally:
            await conn.close()
        settings = ServiceSettings(
            service_name="warm-test",
            database_dsn=dsn,
            **kafka_settings(kafka),
            consumer_group_prefix=OwnTopics.fresh("warm").consumer_group_prefix,
        )
        async with Eventing(settings, relay=False, pool_size=4) as eventing:
            pool = eventing.pool
            assert (pool.get_size(), pool.get_idle_size()) == (4, 4)
