"""The simulators as real processes (``python -m kokuho.linkage_simulators <name>``, as
`make run` starts them) and the gateway's HTTP adapters against them: the process path works
and speaks the documented formats."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import asyncpg
import httpx
import pytest

from kokuho.linkage_gateway.adapters.counterpart_http import (
    FederationHttp,
    IntermediateServerHttp,
    JlisHttp,
    PortalHttp,
    ResidentRecordsHttp,
)
from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.app.ports import ReplicaMessage
from kokuho.linkage_gateway.bootstrap import build
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.federation import (
    InsuredChange,
    build_insured_change_file,
    parse_continuation_file,
)
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import free_port, serving, simulator_process, staff_headers
from kokuho.platform.token import new_private_key

from ..ca import NOW, CertificateAuthority

pytestmark = pytest.mark.integration

SIMULATORS_DIR = Path(__file__).resolve().parents[2] / "simulators"
Numbers = Callable[[], IndividualNumber]


def _start(name: str) -> Iterator[str]:
    with simulator_process(SIMULATORS_DIR, "kokuho.linkage_simulators", name) as url:
        yield url


async def control(method: str, url: str, json: object) -> httpx.Response:
    """A call to a simulator's own endpoints (set-up, or the raw format)."""
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.request(method, url, json=json)


@pytest.fixture
def jlis_url() -> Iterator[str]:
    yield from _start("jlis")


@pytest.fixture
def intermediate_server_url() -> Iterator[str]:
    yield from _start("intermediate-server")


@pytest.fixture
def federation_url() -> Iterator[str]:
    yield from _start("federation")


async def test_federation_adapter_against_the_process(federation_url: str) -> None:
    """A KKH-IDO file built by the gateway goes over as it is; the KKH-SKK file the process
    writes back is one the gateway's own parser accepts."""
    change = InsuredChange(
        change="acquired",
        addressee_number="1000000555",
        nhi_household_number="2000000555",
        insured_number="00000555",
        card_symbol="S1",
        card_number="555",
        branch_number="01",
        acquisition_date=date(2026, 4, 1),
        loss_date=None,
    )
    text = build_insured_change_file([change], file_date=date(2026, 4, 2), sequence=1)
    federation = FederationHttp(federation_url)
    receipt = await federation.send("KKH-IDO-20260402-0001.csv", text.encode())
    assert receipt.startswith("fed-")
    assert await federation.send("KKH-IDO-20260402-0001.csv", text.encode()) == receipt
    with pytest.raises(FileExistsError):
        await federation.send("KKH-IDO-20260402-0001.csv", text.replace("555,", "556,").encode())
    skk = await control("GET", f"{federation_url}/v1/continuation-files/2026-04-03", None)
    assert skk.status_code == 200
    parsed = parse_continuation_file(skk.text)
    assert parsed.file_date == date(2026, 4, 3)
    assert [(r.addressee_number, r.acquisition_date) for r in parsed.records] == [
        ("1000000555", date(2026, 4, 1))
    ]
    # The gateway's scheduled fetch through the adapter: the same file, as bytes.
    fetched = await federation.fetch_continuation_file(date(2026, 4, 3))
    assert fetched == skk.content


@pytest.fixture
def portal_url() -> Iterator[str]:
    yield from _start("portal")


@pytest.fixture
def resident_records_url() -> Iterator[str]:
    yield from _start("resident-records")


async def test_portal_and_resident_records_adapters_against_the_processes(
    portal_url: str, resident_records_url: str, numbers: Numbers
) -> None:
    """A signed application travels through the portal process byte for byte (the signature
    still verifies), its status goes back, and the certificate serial resolves to its holder."""
    ca = CertificateAuthority()
    signer = ca.issue("resident")
    signed = signer.sign("R-SIM-1", {"individual_number": numbers().value, "answers": {}})
    submitted = await control(
        "POST",
        f"{portal_url}/simulator/applications",
        json={
            "receipt_number": signed.receipt_number,
            "procedure_code": signed.procedure_code,
            "applied_at": signed.applied_at.isoformat(),
            "payload_b64": base64.b64encode(signed.payload).decode(),
            "signature_b64": base64.b64encode(signed.signature).decode(),
            "certificate_pem": signed.certificate_pem.decode(),
        },
    )
    assert submitted.status_code == 204, submitted.text
    portal = PortalHttp(portal_url)
    (fetched,) = await portal.fetch_new()
    assert fetched == signed
    check = X509SignatureVerifier([ca.root], [ca.crl()]).verify(fetched, NOW)
    assert (check.valid, check.certificate_serial) == (True, signer.serial)
    await portal.update_status("R-SIM-1", "accepted", "")
    assert await portal.fetch_new() == []  # nothing is offered twice
    status = await control("GET", f"{portal_url}/simulator/applications/R-SIM-1/status", None)
    assert status.json() == {"status_code": "accepted", "reason": ""}
    with pytest.raises(ConnectionError):
        await portal.update_status("R-UNKNOWN", "accepted", "")

    residents = ResidentRecordsHttp(resident_records_url)
    assert await residents.addressee_of_certificate(signer.serial) is None
    put = await control(
        "PUT",
        f"{resident_records_url}/simulator/certificate-holders/{signer.serial}",
        json={"addressee_number": "1000000777"},
    )
    assert put.status_code == 204
    assert await residents.addressee_of_certificate(signer.serial) == "1000000777"
    for malformed in ("A1", "100000077", "10000007770"):  # the holder is 10 digits, as everywhere
        refused = await control(
            "PUT",
            f"{resident_records_url}/simulator/certificate-holders/{signer.serial}",
            json={"addressee_number": malformed},
        )
        assert refused.status_code == 422, refused.text
    assert await residents.addressee_of_certificate(signer.serial) == "1000000777"


async def test_jlis_adapter_against_the_process(jlis_url: str, numbers: Numbers) -> None:
    jlis = JlisHttp(jlis_url)
    issued, not_issued = numbers(), numbers()
    r = await control(
        "POST", f"{jlis_url}/simulator/not-issued", json={"individual_number": not_issued.value}
    )
    assert r.status_code == 204
    assert (await jlis.confirm(issued)).authentic is True
    refused = await jlis.confirm(not_issued)
    assert (refused.authentic, refused.reason) == (False, "J-LIS reports the number as not issued")
    # The documented format is enforced: a malformed number is a 4xx, not a guess.
    malformed = await control(
        "POST", f"{jlis_url}/v1/authenticity-checks", json={"individual_number": "12"}
    )
    assert malformed.status_code == 422


async def test_intermediate_server_adapter_against_the_process(
    intermediate_server_url: str,
) -> None:
    server = IntermediateServerHttp(intermediate_server_url)
    v2 = ReplicaMessage("1000000000000001", "nhi-qualification", 2, {"status": "insured"})
    v1 = ReplicaMessage("1000000000000001", "nhi-qualification", 1, {"status": "old"})
    receipt = await server.register_replica(v2)
    assert receipt.startswith("rcpt-")
    assert await server.register_replica(v2) == receipt  # idempotent on the version
    await server.register_replica(v1)  # an older version never replaces a newer one
    assert await server.export_replicas() == {
        ("1000000000000001", "nhi-qualification"): {"status": "insured"}
    }
    none = await server.inquire(
        integrated_addressee_number="1000000000000001", provider="city-tax", item="income"
    )
    assert (none.status, none.content) == ("no-data", None)
    r = await control(
        "PUT",
        f"{intermediate_server_url}/simulator/provider-data",
        json={
            "integrated_addressee_number": "1000000000000001",
            "provider": "city-tax",
            "item": "income",
            "content": {"income": 1_200_000},
        },
    )
    assert r.status_code == 204
    answered = await server.inquire(
        integrated_addressee_number="1000000000000001", provider="city-tax", item="income"
    )
    assert (answered.status, answered.content) == ("answered", {"income": 1_200_000})
    # the integrated addressee number is the 16 digits the gateway issues, nothing else
    malformed = await control(
        "POST",
        f"{intermediate_server_url}/v1/replicas",
        json={
            "integrated_addressee_number": "IAN-0001",
            "item": "nhi-qualification",
            "version": 1,
            "content": {},
        },
    )
    assert malformed.status_code == 422, malformed.text


async def test_unreachable_counterpart_is_a_connection_error(numbers: Numbers) -> None:
    with pytest.raises(ConnectionError):
        await JlisHttp(f"http://127.0.0.1:{free_port()}").confirm(numbers())


async def test_the_gateway_checks_numbers_with_the_jlis_process(
    gateway_settings: Settings, jlis_url: str, intermediate_server_url: str, numbers: Numbers
) -> None:
    """Settings with the URLs set: no in-process simulator is passed, the HTTP adapters answer
    (J-LIS on registration, the intermediate server on reconciliation)."""
    settings = gateway_settings.model_copy(
        update={"jlis_url": jlis_url, "intermediate_server_url": intermediate_server_url}
    )
    key = new_private_key("ES256")
    app = build(settings, token_verifier=TokenVerifier([key.public_key()]))
    headers = staff_headers(key, "U-SIM", "eligibility.clerk")
    auditor = staff_headers(key, "U-AUD", "auditor")
    issued, not_issued = numbers(), numbers()
    await control(
        "POST", f"{jlis_url}/simulator/not-issued", json={"individual_number": not_issued.value}
    )
    async with serving(app, "gw") as client:
        ok = await client.post(
            "/api/v1/individual-numbers",
            json={"addressee_number": "1000000001", "individual_number": issued.value},
            headers=headers,
        )
        assert ok.status_code == 201, ok.text
        refused = await client.post(
            "/api/v1/individual-numbers",
            json={"addressee_number": "1000000002", "individual_number": not_issued.value},
            headers=headers,
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("number-not-authentic")
        # C-84 through the intermediate-server process: a replica the server holds with no
        # original here is flagged by the gateway's reconciliation (export over HTTP).
        clean = await client.get("/api/v1/replicas/reconciliation", headers=auditor)
        assert clean.status_code == 200, clean.text
        assert clean.json()["differences"] == []
        stray = await control(
            "POST",
            f"{intermediate_server_url}/v1/replicas",
            json={
                "integrated_addressee_number": "9999999999999999",
                "item": "nhi-qualification",
                "version": 1,
                "content": {"status": "insured"},
            },
        )
        assert stray.status_code == 200, stray.text
        flagged = await client.get("/api/v1/replicas/reconciliation", headers=auditor)
        assert [d["integrated_addressee_number"] for d in flagged.json()["differences"]] == [
            "9999999999999999"
        ]
    conn = await asyncpg.connect(settings.database_dsn)
    try:
        rows = await conn.fetch("SELECT addressee_number FROM integrated_addressee")
    finally:
        await conn.close()
    assert [r["addressee_number"] for r in rows] == ["1000000001"]
