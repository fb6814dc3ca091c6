"""The federation's claims file (KKH-RZP) handed to benefits (ADR 0084), on the real
PostgreSQL and Kafka with benefits stood in by a port: screened (header, C-19) before anything
is recorded; a file benefits refuses is recorded ``refused`` with benefits' lines and may be
sent again; a delivered file is 409; without benefits configured the gateway refuses (503); the
month's file fetched from the federation (in process, and over HTTP from the simulator process)
is handed on the same way."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from kokuho.linkage_gateway.adapters.counterpart_http import FederationHttp
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.linkage_gateway.app.claims_files import ClaimsFileRefusedByBenefits
from kokuho.linkage_gateway.bootstrap import build
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.federation.records import LineError
from kokuho.linkage_gateway.domain.individual_number import check_digit
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.settings import StartupRefused
from kokuho.platform.testing import serving, staff_headers
from kokuho.platform.token import new_private_key

from ..conftest import RunningGateway

pytestmark = pytest.mark.integration

BATCH = "batch.operator"
CLAIMS = (
    "H,KKH-RZP,1,2026-08-20,2026-08\n"
    "D,R0001,2026-07,9920000201,9910000201,U,0,1310000001,I,M,,,10,100000,1000000,300000\n"
    "T,1\n"
)


class Benefits:
    """Benefits' claim imports as a port: refuses the first ``refusals`` sends."""

    def __init__(self, refusals: int = 0) -> None:
        self.refusals = refusals
        self.sent: list[tuple[str, str]] = []

    async def import_claims(
        self, *, file_name: str, content: str, idempotency_key: str
    ) -> dict[str, Any]:
        self.sent.append((file_name, idempotency_key))
        if self.refusals:
            self.refusals -= 1
            raise ClaimsFileRefusedByBenefits([LineError(2, "addressee_number must be 10 digits")])
        return {"import_id": 1, "claims": 1, "adjustments": 0}


async def deliveries(dsn: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT status, file_name FROM claims_file_deliveries")
        return [(r["status"], r["file_name"]) for r in rows]
    finally:
        await conn.close()


async def test_unconfigured_benefits_and_numbers_in_the_file_are_refused(
    gateway: RunningGateway,
) -> None:
    unconfigured = await gateway.client.post(
        "/api/v1/federation/claims-files",
        json={"file_name": "KKH-RZP-202608.csv", "content": CLAIMS},
        headers=gateway.headers(BATCH),
    )
    assert unconfigured.status_code == 503, unconfigured.text
    assert unconfigured.json()["type"].endswith("benefits-unavailable")
    eleven = "12345678901"
    number = eleven + str(check_digit(eleven))
    carrying = CLAIMS.replace("R0001", number)
    refused = await gateway.client.post(
        "/api/v1/federation/claims-files",
        json={"file_name": "KKH-RZP-202608.csv", "content": carrying},
        headers=gateway.headers(BATCH),
    )
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["pointer"] == "/body/content/line/2"
    assert "C-19" in error["reason"]
    assert number not in refused.text
    assert number not in "\n".join(gateway.logs.lines)
    assert await deliveries(gateway.settings.database_dsn) == []
    wrong = await gateway.client.post(
        "/api/v1/federation/claims-files",
        json={"file_name": "x.csv", "content": "H,KKH-KGK,1,2026-08-20,2026-08\nT,0\n"},
        headers=gateway.headers(BATCH),
    )
    assert wrong.status_code == 422
    clerk = await gateway.client.post(
        "/api/v1/federation/claims-files",
        json={"file_name": "x.csv", "content": CLAIMS},
        headers=gateway.headers("eligibility.clerk"),
    )
    assert clerk.status_code == 403


async def test_a_refused_file_is_recorded_and_may_be_sent_again(
    gateway_settings: Settings,
) -> None:
    key = new_private_key()
    benefits = Benefits(refusals=1)
    app = build(
        gateway_settings,
        benefits=benefits,
        token_verifier=TokenVerifier([key.public_key()]),  # type: ignore[list-item]
    )
    dsn = gateway_settings.database_dsn
    async with serving(app, "gw") as client:

        async def send(name: str) -> Any:
            return await client.post(
                "/api/v1/federation/claims-files",
                json={"file_name": name, "content": CLAIMS},
                headers=staff_headers(key, "operator-1", BATCH),
            )

        refused = await send("KKH-RZP-202608.csv")
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("claims-file-refused")
        assert refused.json()["errors"] == [
            {"pointer": "/body/content/line/2", "reason": "addressee_number must be 10 digits"}
        ]
        assert await deliveries(dsn) == [("refused", "KKH-RZP-202608.csv")]

        delivered = await send("KKH-RZP-202608-fixed.csv")
        assert delivered.status_code == 201, delivered.text
        assert delivered.json()["receipt"] == {"import_id": 1, "claims": 1, "adjustments": 0}
        assert await deliveries(dsn) == [("delivered", "KKH-RZP-202608-fixed.csv")]

        again = await send("KKH-RZP-202608-again.csv")
        assert again.status_code == 409
        assert len(benefits.sent) == 2
        assert benefits.sent[0][1] == benefits.sent[1][1]  # the file's SHA-256, both times

        listed = await client.get(
            "/api/v1/federation/claims-files", headers=staff_headers(key, "auditor-1", "auditor")
        )
        assert [d["status"] for d in listed.json()] == ["delivered"]


async def test_the_months_file_is_fetched_from_the_federation_and_handed_on(
    gateway_settings: Settings,
) -> None:
    key = new_private_key()
    benefits = Benefits()
    federation = FederationSimulator()
    app = build(
        gateway_settings,
        benefits=benefits,
        federation=federation,
        token_verifier=TokenVerifier([key.public_key()]),  # type: ignore[list-item]
    )
    async with serving(app, "gw") as client:

        async def fetch(month: str) -> Any:
            return await client.post(
                "/api/v1/federation/claims-files/fetches",
                json={"processing_month": month},
                headers=staff_headers(key, "operator-1", BATCH),
            )

        none_yet = await fetch("2026-08")
        assert none_yet.status_code == 404, none_yet.text
        assert none_yet.json()["type"].endswith("claims-file-not-available")
        federation.claims_files["2026-08"] = CLAIMS.encode()
        federation.claims_files["2026-09"] = CLAIMS.encode()  # a file of August under September
        fetched = await fetch("2026-08")
        assert fetched.status_code == 201, fetched.text
        assert (fetched.json()["file_name"], fetched.json()["status"]) == (
            "KKH-RZP-1-202608.csv",
            "delivered",
        )
        again = await fetch("2026-08")
        assert again.status_code == 409
        wrong = await fetch("2026-09")
        assert wrong.status_code == 422
        assert "not 2026-09" in wrong.json()["errors"][0]["reason"]
        bad_month = await fetch("2026-13")
        assert bad_month.status_code == 422
    assert [name for name, _ in benefits.sent] == ["KKH-RZP-1-202608.csv"]


async def test_the_http_adapter_fetches_the_file_the_simulator_process_has() -> None:
    from .test_simulator_processes import _start

    started = _start("federation")
    url = next(started)
    try:
        federation = FederationHttp(url)
        assert await federation.fetch_claims_file("2026-08") is None
        async with httpx.AsyncClient(base_url=url) as client:
            made = await client.put("/v1/claims-files/2026-08", content=CLAIMS.encode())
            assert made.status_code == 200
            assert (await client.put("/v1/claims-files/nope", content=b"x")).status_code == 422
        assert await federation.fetch_claims_file("2026-08") == CLAIMS.encode()
    finally:
        started.close()


def test_benefits_url_without_the_service_key_refuses_to_start(gateway_settings: Settings) -> None:
    settings = gateway_settings.model_copy(update={"benefits_url": "http://127.0.0.1:1"})
    with pytest.raises(StartupRefused, match="SERVICE_KEY_PATH"):
        build(settings, token_verifier=TokenVerifier([new_private_key().public_key()]))  # type: ignore[list-item]
