"""マイナ保険証 states from the online-qualification side to the gateway's topic (issue 14), on
the real PostgreSQL and Kafka: a state the simulator reports for a bound person reaches
``kokuho.linkage-gateway.events`` as MynaInsuranceCardStatusChanged keyed and carrying the
addressee number only; the same state again publishes nothing, a changed one publishes again.
And the HTTP adapter against the simulator process (the format `make run` serves)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date

import asyncpg
import pytest

from kokuho.events.runtime.connection import KafkaConnection
from kokuho.linkage_gateway.adapters.counterpart_http import IntermediateServerHttp
from kokuho.linkage_gateway.adapters.jobs import scheduled_card_state_fetch
from kokuho.linkage_gateway.commands import fetch_card_states_command
from kokuho.linkage_gateway.domain.card_status import CardStateReport
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

from ..conftest import read_until
from .test_simulator_processes import control, intermediate_server_url  # noqa: F401 - fixture

pytestmark = pytest.mark.integration

EVENT = b"myna_insurance_card_status_changed"


def addressee() -> str:
    return f"{uuid.uuid4().int % 10**10:010d}"


async def bind(gateway, who: str, number: IndividualNumber) -> str:  # type: ignore[no-untyped-def]
    r = await gateway.client.post(
        "/api/v1/individual-numbers",
        json={"addressee_number": who, "individual_number": number.value},
        headers=gateway.headers("eligibility.clerk"),
    )
    assert r.status_code == 201, r.text
    resolved = await gateway.client.get(
        f"/api/v1/persons/{who}/individual-number",
        params={"affair": "nhi-eligibility"},
        headers=gateway.headers("linkage.operator"),
    )
    assert resolved.status_code == 200, resolved.text
    return str(resolved.json()["integrated_addressee_number"])


async def published(dsn: str, who: str) -> list[dict[str, object]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT envelope FROM events WHERE event_type = $1 ORDER BY global_position",
            "jp.kokuho.linkage_gateway.myna_insurance_card_status_changed.v1",
        )
    finally:
        await conn.close()
    envelopes = [json.loads(r["envelope"]) for r in rows]
    return [e["data"] for e in envelopes if e["data"]["addressee_number"] == who]


async def test_a_card_state_reaches_the_topic_with_the_addressee_number_only(  # type: ignore[no-untyped-def]
    gateway, numbers: Callable[[], IndividualNumber], kafka: KafkaConnection
) -> None:
    who, number = addressee(), numbers()
    integrated = await bind(gateway, who, number)
    gateway.server.set_card_state(
        CardStateReport(integrated, "registered", date(2031, 3, 31), date(2026, 12, 1))
    )
    kit = gateway.app.state.kit
    await scheduled_card_state_fetch(kit)

    value = await read_until(kafka, gateway.settings.events_topic, who.encode(), EVENT)
    data = json.loads(value)["data"]
    assert data == {
        "addressee_number": who,
        "status": "registered",
        "e_certificate_expires_on": "2031-03-31",
        "as_of": "2026-12-01",
    }
    assert number.value.encode() not in value
    assert integrated.encode() not in value

    # the same state again: nothing new; a cancelled registration: published again
    await scheduled_card_state_fetch(kit)
    dsn = gateway.settings.database_dsn
    assert len(await published(dsn, who)) == 1
    gateway.server.set_card_state(
        CardStateReport(integrated, "registration_cancelled", None, date(2026, 12, 2))
    )
    await scheduled_card_state_fetch(kit)
    await scheduled_card_state_fetch(kit)
    assert [d["status"] for d in await published(dsn, who)] == [
        "registered",
        "registration_cancelled",
    ]
    cancelled = await read_until(
        kafka, gateway.settings.events_topic, who.encode(), b"registration_cancelled"
    )
    assert number.value.encode() not in cancelled

    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT status, as_of FROM myna_card_states WHERE addressee_number = $1", who
        )
        audited = await conn.fetch(
            "SELECT subject_addressee_numbers AS s FROM audit_log"
            " WHERE user_id = 'system:card-state-fetch' ORDER BY seq"
        )
    finally:
        await conn.close()
    assert (row["status"], row["as_of"]) == ("registration_cancelled", date(2026, 12, 2))
    assert [list(a["s"]) for a in audited] == [[who], [], [who], []]


async def test_a_person_not_bound_here_publishes_nothing(gateway) -> None:  # type: ignore[no-untyped-def]
    gateway.server.set_card_state(
        CardStateReport("2999999999999999", "registered", None, date(2026, 12, 1))
    )
    await scheduled_card_state_fetch(gateway.app.state.kit)
    conn = await asyncpg.connect(gateway.settings.database_dsn)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM events WHERE event_type LIKE '%myna_insurance_card%'"
        )
    finally:
        await conn.close()
    assert count == 0


async def test_card_states_adapter_against_the_process(intermediate_server_url: str) -> None:  # noqa: F811
    ian = "2000000000000123"
    put = await control(
        "PUT",
        f"{intermediate_server_url}/simulator/card-states",
        {
            "integrated_addressee_number": ian,
            "status": "card_returned",
            "e_certificate_expires_on": "2029-01-31",
            "as_of": "2026-12-01",
        },
    )
    assert put.status_code == 204, put.text
    bad = await control(
        "PUT",
        f"{intermediate_server_url}/simulator/card-states",
        {"integrated_addressee_number": ian, "status": "lost", "as_of": "2026-12-01"},
    )
    assert bad.status_code == 422
    states = await IntermediateServerHttp(intermediate_server_url).card_states()
    assert states == [CardStateReport(ian, "card_returned", date(2029, 1, 31), date(2026, 12, 1))]


async def test_the_command_publishes_from_the_simulator_process(  # type: ignore[no-untyped-def]
    gateway,
    numbers: Callable[[], IndividualNumber],
    intermediate_server_url: str,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``fetch-card-states`` as a scheduler outside ``serve`` runs it: over HTTP to the
    simulator process (as `make run` wires it), into the outbox of the gateway's database."""
    who = addressee()
    integrated = await bind(gateway, who, numbers())
    put = await control(
        "PUT",
        f"{intermediate_server_url}/simulator/card-states",
        {
            "integrated_addressee_number": integrated,
            "status": "not_registered",
            "as_of": "2026-12-01",
        },
    )
    assert put.status_code == 204, put.text
    settings = gateway.settings.model_copy(
        update={"intermediate_server_url": intermediate_server_url}
    )
    assert await fetch_card_states_command(settings, []) == 0
    assert "1 published" in capsys.readouterr().out
    assert await fetch_card_states_command(settings, []) == 0
    assert "0 published, 1 unchanged" in capsys.readouterr().out
    [data] = await published(gateway.settings.database_dsn, who)
    assert (data["status"], data["e_certificate_expires_on"]) == ("not_registered", None)
    assert await fetch_card_states_command(settings, ["extra"]) == 2
