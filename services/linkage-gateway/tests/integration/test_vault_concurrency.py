"""A registration and a replica event for the same person cannot pass each other unseen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
import pytest

from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.postgres_vault import PostgresVault
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.domain.vault import NumberBound
from kokuho.platform.testing import eventually

pytestmark = pytest.mark.integration


async def test_the_second_reader_waits_for_the_binding_in_flight(
    gateway_dsn: str, sealer: EnvelopeSealer, numbers: Callable[[], IndividualNumber]
) -> None:
    registering = await asyncpg.connect(gateway_dsn)
    consuming = await asyncpg.connect(gateway_dsn)
    try:
        tx = registering.transaction()
        await tx.start()
        vault = PostgresVault(registering, topic="test.linkage-gateway.events")
        assert await vault.binding_of("2000000001") is None
        number = numbers()
        await vault.record(
            [
                NumberBound(
                    "2000000001", "0000000000000099", sealer.index(number), datetime.now(UTC)
                )
            ],
            sealer.seal(number, addressee_number="2000000001"),
        )

        async def consumer_reads() -> str | None:
            async with consuming.transaction():
                binding = await PostgresVault(consuming).binding_of("2000000001")
                return binding.integrated_addressee_number if binding else None

        reader = asyncio.create_task(consumer_reads())

        async def consumer_waits() -> bool:
            return bool(
                await registering.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
                    " AND wait_event_type = 'Lock'",
                    consuming.get_server_pid(),
                )
            )

        waiting = await eventually(
            consumer_waits, timeout=10, interval=0.02, what="the consumer's read waiting"
        )
        assert waiting, "the consumer's read did not wait for the registration"
        assert not reader.done()
        await tx.commit()
        assert await reader == "0000000000000099"
    finally:
        await registering.close()
        await consuming.close()
