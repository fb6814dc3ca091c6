"""Mutual TLS towards the counterparts (C-26..C-28, C-76; ADR 0095): the intermediate-server and
federation simulators as real processes serving HTTPS that requires a client certificate from
the local CA (certificates made by deploy/local/tls.py, as `make run` makes them), and the
gateway's ports made by its composition root from the ``counterpart_tls_*`` settings. The
gateway gets through; a client without a certificate, or with one from another CA, is refused
and nothing reaches the counterpart; a gateway that does not trust the server's CA does not
talk to it. Settings that would send a counterpart call in the clear, or half-configured TLS,
stop start-up."""

from __future__ import annotations

import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from kokuho.linkage_gateway.adapters.counterpart_http import FederationHttp, IntermediateServerHttp
from kokuho.linkage_gateway.app.ports import CounterpartUnavailable
from kokuho.linkage_gateway.bootstrap import make_ports
from kokuho.linkage_gateway.config import Settings
from kokuho.platform.service import utc_now
from kokuho.platform.testing import simulator_process
from kokuho.platform.tls import mutual_context, verifying_context

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[4]
TLS_TOOL = ROOT / "deploy" / "local" / "tls.py"
SIMULATORS_DIR = Path(__file__).resolve().parents[2] / "simulators"
STATE = {
    "integrated_addressee_number": "1234567890123456",
    "status": "registered",
    "e_certificate_expires_on": None,
    "as_of": "2026-04-01",
}


@dataclass(frozen=True)
class Pki:
    ca: Path  # the local CA (servers and the gateway)
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path  # another authority, with a client certificate of its own
    other_cert: Path
    other_key: Path

    def gateway(self) -> ssl.SSLContext:
        return mutual_context(self.ca, self.client_cert, self.client_key)


def tls_tool(*args: str) -> Path:
    done = subprocess.run(
        [sys.executable, str(TLS_TOOL), *args], check=True, capture_output=True, text=True
    )
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ca = ("--ca-dir", str(d / "ca"))
    other = ("--ca-dir", str(d / "other-ca"))
    server = tls_tool("issue", "counterpart", "--out", str(d), "--ip", "127.0.0.1", *ca)
    client = tls_tool("issue", "linkage-gateway", "--out", str(d), "--client", *ca)
    intruder = tls_tool("issue", "intruder", "--out", str(d), "--client", *other)
    return Pki(
        ca=d / "ca" / "ca.crt",
        server_cert=server,
        server_key=server.with_suffix(".key"),
        client_cert=client,
        client_key=client.with_suffix(".key"),
        other_ca=d / "other-ca" / "ca.crt",
        other_cert=intruder,
        other_key=intruder.with_suffix(".key"),
    )


def _serve(name: str, pki: Pki) -> Iterator[str]:
    tls = ["--tls-cert", str(pki.server_cert), "--tls-key", str(pki.server_key)]
    with simulator_process(
        SIMULATORS_DIR,
        "kokuho.linkage_simulators",
        name,
        [*tls, "--tls-client-ca", str(pki.ca)],
        tls_verify=pki.gateway(),
    ) as url:
        yield url


@pytest.fixture(scope="module")
def intermediate_server(pki: Pki) -> Iterator[str]:
    yield from _serve("intermediate-server", pki)


@pytest.fixture(scope="module")
def federation(pki: Pki) -> Iterator[str]:
    yield from _serve("federation", pki)


def gateway_settings(pki: Pki, tmp_path: Path, **urls: str) -> Settings:
    return Settings(
        key_directory=tmp_path / "keys",
        create_dev_keys=True,
        federation_outbox=None,
        counterpart_tls_cert_path=pki.client_cert,
        counterpart_tls_key_path=pki.client_key,
        counterpart_tls_ca_path=pki.ca,
        **urls,
    )


async def test_the_gateway_reaches_its_counterparts_over_mutual_tls(
    pki: Pki, intermediate_server: str, federation: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(verify=pki.gateway()) as control:
        put = await control.put(f"{intermediate_server}/simulator/card-states", json=STATE)
        assert put.status_code < 300, put.text
    settings = gateway_settings(
        pki, tmp_path, intermediate_server_url=intermediate_server, federation_url=federation
    )
    ports = make_ports(settings, utc_now)
    states = await ports.server.card_states()
    assert [s.integrated_addressee_number for s in states] == ["1234567890123456"]
    receipt = await ports.federation.send("KKH-IDO-3-20260402-000001.csv", b"H,KKH-IDO,3\n")
    assert receipt
    assert await ports.federation.fetch_continuation_file(date(2026, 4, 3)) is not None


@pytest.mark.parametrize("client", ["no certificate", "another CA's certificate"])
async def test_a_client_without_the_cas_certificate_is_refused(
    pki: Pki, federation: str, client: str
) -> None:
    tls = (
        verifying_context(pki.ca)
        if client == "no certificate"
        else mutual_context(pki.ca, pki.other_cert, pki.other_key)
    )
    name = f"KKH-IDO-3-20260402-{'000002' if client == 'no certificate' else '000003'}.csv"
    with pytest.raises(CounterpartUnavailable, match="unreachable"):
        await FederationHttp(federation, tls).send(name, b"H,KKH-IDO,3\n")
    # nothing reached the federation: the gateway's own listing does not have the file
    async with httpx.AsyncClient(verify=pki.gateway()) as control:
        listed = await control.get(f"{federation}/v1/files")
    assert listed.status_code == 200
    assert name not in listed.text
    # and plain HTTP to the TLS port gets no answer either
    with pytest.raises(CounterpartUnavailable):
        await FederationHttp(federation.replace("https://", "http://")).send(name, b"x")


async def test_a_server_from_another_ca_is_not_trusted(pki: Pki, intermediate_server: str) -> None:
    # the gateway presents its certificate but trusts only the other CA: it refuses the server
    tls = mutual_context(pki.other_ca, pki.client_cert, pki.client_key)
    with pytest.raises(CounterpartUnavailable, match="unreachable"):
        await IntermediateServerHttp(intermediate_server, tls).card_states()


def test_settings_refuse_counterpart_calls_in_the_clear(pki: Pki, tmp_path: Path) -> None:
    base = {"key_directory": tmp_path / "keys", "create_dev_keys": True}
    with pytest.raises(ValidationError, match="counterpart_tls_key_path"):
        Settings(**base, counterpart_tls_cert_path=pki.client_cert, counterpart_tls_ca_path=pki.ca)
    with pytest.raises(ValidationError, match="federation_url is https"):
        Settings(**base, federation_url="https://federation.pref.example")
    with pytest.raises(ValidationError, match=r"plain http to intermediate\.city\.example"):
        Settings(**base, intermediate_server_url="http://intermediate.city.example")
    with pytest.raises(ValidationError, match="counterpart_tls_ca_path"):
        Settings(
            **base,
            counterpart_tls_cert_path=pki.client_cert,
            counterpart_tls_key_path=pki.client_key,
            counterpart_tls_ca_path=tmp_path / "absent.crt",
        )
    # the simulators on this machine stay reachable over plain HTTP (make run, the tests)
    assert Settings(**base, federation_url="http://127.0.0.1:8103").counterpart_tls() is None
