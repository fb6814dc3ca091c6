"""The demo seed's マイナ保険証 states (`make run`, ADR 0081), on the real PostgreSQL: the demo
persons get states on the simulated online-qualification side (the simulator process, as
`make run` wires it, or the in-process one) and the gateway publishes them through its outbox
by addressee number; a second seed publishes nothing."""

from __future__ import annotations

import json
from collections import Counter

import asyncpg
import pytest

from kokuho.linkage_gateway.commands import DEMO_PERSONS, seed
from kokuho.linkage_gateway.config import Settings

from .test_simulator_processes import intermediate_server_url  # noqa: F401 - fixture

pytestmark = pytest.mark.integration

EVENT_TYPE = "jp.kokuho.linkage_gateway.myna_insurance_card_status_changed.v1"
#: by position in turn: registered, no_card, registered, not_registered, registered,
#: registration_cancelled, registered, card_returned; 20 persons
WANT = {
    "registered": 10,
    "no_card": 3,
    "not_registered": 3,
    "registration_cancelled": 2,
    "card_returned": 2,
}


async def published(dsn: str) -> dict[str, dict[str, object]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT envelope FROM events WHERE event_type = $1", EVENT_TYPE)
        outbox = await conn.fetchval("SELECT count(*) FROM outbox")
    finally:
        await conn.close()
    assert outbox >= len(rows)  # through the outbox, for the relay of `serve`
    data = [json.loads(r["envelope"])["data"] for r in rows]
    return {str(d["addressee_number"]): d for d in data}


async def test_the_seed_gives_the_demo_persons_varied_states_through_the_simulator(
    gateway_settings: Settings,
    intermediate_server_url: str,  # noqa: F811
) -> None:
    settings = gateway_settings.model_copy(
        update={"intermediate_server_url": intermediate_server_url}
    )
    message = await seed(settings)
    assert f"{DEMO_PERSONS} bindings created" in message
    assert f"{DEMO_PERSONS} published, 0 unchanged" in message
    states = await published(settings.database_dsn)
    assert sorted(states) == [f"{1_000_000_000 + i:010d}" for i in range(1, DEMO_PERSONS + 1)]
    assert Counter(str(d["status"]) for d in states.values()) == WANT
    assert states["1000000001"]["status"] == "registered"
    assert states["1000000002"] == {
        "addressee_number": "1000000002",
        "status": "no_card",
        "e_certificate_expires_on": None,
        "as_of": states["1000000001"]["as_of"],
    }

    again = await seed(settings)
    assert f"0 bindings created, {DEMO_PERSONS} present" in again
    assert f"0 published, {DEMO_PERSONS} unchanged" in again
    assert len(await published(settings.database_dsn)) == DEMO_PERSONS


async def test_without_the_simulator_process_the_seed_uses_the_in_process_side(
    gateway_settings: Settings,
) -> None:
    assert gateway_settings.intermediate_server_url is None
    message = await seed(gateway_settings)
    assert f"{DEMO_PERSONS} published" in message
    states = await published(gateway_settings.database_dsn)
    assert Counter(str(d["status"]) for d in states.values()) == WANT
