"""Shared fixtures of the assessment tests (synthetic people only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.assessment.bootstrap import build
from kokuho.assessment.config import Settings
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.parameters import load_parameters
from kokuho.events.contracts import EventContract
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import publish
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import (
    OwnTopics,
    migrated_database,
    serving,
    serving_on_port,
    staff_headers,
)
from kokuho.platform.token import PrivateKey, new_private_key


@pytest.fixture(scope="session")
def fy2025() -> PremiumParameters:
    return load_parameters(2025)


@pytest.fixture(scope="session")
def fy2026() -> PremiumParameters:
    return load_parameters(2026)


# --- the real app on PostgreSQL and Kafka (integration and end-to-end tests) ---------------


MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
TODAY = date(2026, 11, 26)


@pytest.fixture
async def assessment_dsn(pg_admin_dsn: str) -> AsyncIterator[str]:
    async with migrated_database(pg_admin_dsn, MIGRATIONS) as dsn:
        yield dsn


@dataclass
class Running:
    client: httpx.AsyncClient
    settings: Settings
    key: PrivateKey
    dsn: str
    eligibility_topic: str
    linkage_topic: str
    kafka: KafkaConnection  # the set-up's super user: publishes as other services would

    def headers(self, *roles: str, user: str = "U-CLERK", **extra: str) -> dict[str, str]:
        return staff_headers(self.key, user, *roles, **extra)

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def publish_eligibility(self, key: str, *events: EventContract) -> None:
        await self.publish(self.eligibility_topic, key, "/kokuho/eligibility", *events)

    async def publish(self, topic: str, key: str, source: str, *events: EventContract) -> None:
        await publish(
            self.kafka,
            topic,
            key,
            *events,
            source=source,
            subject=f"household-{key}",
        )


@pytest.fixture
async def running(
    assessment_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics
) -> AsyncIterator[Running]:
    settings = Settings(
        database_dsn=assessment_dsn,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        **own_topics.assessment(),
    )
    key = new_private_key("ES256")
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: TODAY)
    async with serving(app, "assessment") as client:
        yield Running(
            client,
            settings,
            key,
            assessment_dsn,
            own_topics.eligibility_events,
            own_topics.linkage_events,
            kafka,
        )


@dataclass
class Served:
    url: str
    key: PrivateKey

    def headers(self, *roles: str, user: str = "U-FUZZ") -> dict[str, str]:
        return staff_headers(self.key, user, *roles)


@pytest.fixture
def served(assessment_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics) -> Iterator[Served]:
    """The app on a real port in its own thread and event loop (for the fuzzer's requests)."""
    settings = Settings(
        database_dsn=assessment_dsn,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        consume_eligibility=False,
        **own_topics.assessment(),
    )
    key = new_private_key("ES256")
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]), clock=lambda: TODAY)
    with serving_on_port(app, "assessment") as url:
        yield Served(url, key)


# --- a city that supplies its FY2024 rates (ADR 0035) ----------------------------------------

#: TEST FIGURES, not Hiroshima's FY2024 rates (those are not in the sources): what a city adds
#: to the packaged hiroshima-2024.toml, per component, when it supplies the year.
TEST_FY2024_RATES = {
    "medical": ('"0.0800"', 30000, 29000, 650000),
    "elderly_support": ('"0.0260"', 10000, 10000, 240000),
    "long_term_care": ('"0.0230"', 9500, 7000, 170000),
}


def city_supplied_fy2024(directory: Path) -> Path:
    """A parameter directory as a city would point ``KOKUHO_ASSESSMENT_PARAMETERS_DIRECTORY``
    at: the packaged files, with hiroshima-2024.toml completed by TEST_FY2024_RATES and its
    ``status = "unconfirmed"`` removed."""
    packaged = resources.files("kokuho.assessment.parameters")
    for entry in packaged.iterdir():
        if entry.name.endswith(".toml"):
            (directory / entry.name).write_text(entry.read_text(encoding="utf-8"), "utf-8")
    city = directory / "hiroshima-2024.toml"
    lines = []
    for line in city.read_text(encoding="utf-8").splitlines():
        if line.startswith(("status = ", "reason = ")):
            continue
        lines.append(line)
        for component, (rate, per_capita, per_household, cap) in TEST_FY2024_RATES.items():
            if line == f"[figures.components.{component}]":
                source = 'mark = "unconfirmed", configuration = true, source = "TEST ONLY"'
                lines += [
                    f"income_rate = {{ value = {rate}, {source} }}",
                    f"per_capita = {{ value = {per_capita}, {source} }}",
                    f"per_household = {{ value = {per_household}, {source} }}",
                    f"cap = {{ value = {cap}, {source} }}",
                ]
    city.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory
