"""The demo city's マイナ保険証 states (``seed``, `make run`; issue 14, ADR 0081).

The gateway's demo seed binds the demo persons; here each of them gets a state on the
simulated online-qualification side, and the gateway then fetches the states exactly as
``fetch-card-states`` does, so MynaInsuranceCardStatusChanged reaches eligibility through the
outbox and the demo's certificate decisions differ (お知らせ for the registered, 資格確認書 for
the others). Synthetic states, fixed by position: re-seeding changes nothing.

With ``KOKUHO_LINKAGE_GATEWAY_INTERMEDIATE_SERVER_URL`` set (`make run` starts the simulator
process) the states are put with the simulator's own control call (``PUT
/simulator/card-states``, never part of the real interface); without it, on an in-process
simulator that lives only for the seed."""

from __future__ import annotations

import ssl
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import httpx

from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.jobs import fetch_card_states
from kokuho.linkage_gateway.app.ports import GatewayUnitPort, Ports
from kokuho.linkage_gateway.domain.card_status import CardStateReport

#: The states of the demo persons in turn: most registered, one of each way of having no
#: usable card (rules.md 5.4).
DEMO_STATUSES = (
    "registered",
    "no_card",
    "registered",
    "not_registered",
    "registered",
    "registration_cancelled",
    "registered",
    "card_returned",
)
#: The e-certificate expiry the demo gives a card (synthetic).
DEMO_E_CERTIFICATE_EXPIRY = date(2031, 3, 31)


def demo_card_states(integrated: Sequence[str], as_of: date) -> list[CardStateReport]:
    """One state per demo person (by integrated addressee number), by position."""
    states = []
    for i, number in enumerate(integrated):
        status = DEMO_STATUSES[i % len(DEMO_STATUSES)]
        expiry = None if status == "no_card" else DEMO_E_CERTIFICATE_EXPIRY
        states.append(CardStateReport(number, status, expiry, as_of))
    return states


async def put_on_the_simulator(
    url: str, states: Sequence[CardStateReport], tls: ssl.SSLContext | None = None
) -> None:
    """The simulator process's control call, one state a call (raises on a refusal); over
    mutual TLS with ``tls`` (ADR 0095)."""
    verify: ssl.SSLContext | bool = True if tls is None else tls
    async with httpx.AsyncClient(
        base_url=url, timeout=httpx.Timeout(10.0), verify=verify
    ) as client:
        for s in states:
            response = await client.put(
                "/simulator/card-states",
                json={
                    "integrated_addressee_number": s.integrated_addressee_number,
                    "status": s.status,
                    "e_certificate_expires_on": (
                        None
                        if s.e_certificate_expires_on is None
                        else s.e_certificate_expires_on.isoformat()
                    ),
                    "as_of": s.as_of.isoformat(),
                },
            )
            response.raise_for_status()


async def seed_card_states(
    simulator_url: str | None,
    make: Callable[[IntermediateServerSimulator | None], Ports],
    open_unit: Callable[[], GatewayUnitPort],
    integrated: Sequence[str],
    tls: ssl.SSLContext | None = None,
) -> str:
    """Put the demo states on the side and fetch them once; a one-line summary."""
    now = datetime.now(UTC)
    states = demo_card_states(integrated, now.date())
    local = None
    if simulator_url:
        try:
            await put_on_the_simulator(simulator_url, states, tls)
        except httpx.HTTPError as failed:
            return f"card states not set: the online-qualification simulator failed ({failed})"
    else:
        local = IntermediateServerSimulator()
        for s in states:
            local.set_card_state(s)
    run = await fetch_card_states(make(local), open_unit, at=now)
    if run is None:
        return "card states not fetched: the online-qualification side did not answer"
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(Counter(s.status for s in states).items()))
    return (
        f"card states on the online-qualification side: {by_status};"
        f" {run.published} published, {run.unchanged} unchanged"
    )
