"""Mutual TLS towards the counterparts (C-26..C-28, C-76; ADR 0095): the five simulators (J-LIS,
the intermediate server, the federation, the portal, the resident-record system) as real
processes serving HTTPS that requires a client certificate from the local CA (certificates made
by deploy/local/tls.py, as `make run` makes them), and the gateway's ports made by its
composition root from the ``counterpart_tls_*`` settings. For each counterpart: the gateway gets
through with an answer the process holds; a client without a certificate, or with one from
another CA, is refused; a gateway that does not trust the server's CA does not talk to it.
Nothing a refused client sends reaches the counterpart. Settings that would send a counterpart
call in the clear, or half-configured TLS, stop start-up."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from kokuho.linkage_gateway.adapters.counterpart_http import (
    FederationHttp,
    IntermediateServerHttp,
    JlisHttp,
    PortalHttp,
    ResidentRecordsHttp,
)
from kokuho.linkage_gateway.app.ports import CounterpartUnavailable
from kokuho.linkage_gateway.bootstrap import make_ports
from kokuho.linkage_gateway.config import Settings
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.platform.service import utc_now
from kokuho.platform.testing import MutualTlsPki as Pki
from kokuho.platform.testing import mutual_tls_pki, simulator_process
from kokuho.platform.tls import mutual_context, verifying_context

from ..ca import CertificateAuthority

pytestmark = pytest.mark.integration

SIMULATORS_DIR = Path(__file__).resolve().parents[2] / "simulators"
Numbers = Callable[[], IndividualNumber]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return mutual_tls_pki(tmp_path_factory.mktemp("pki"), "linkage-gateway")


# --- each counterpart: one call through a port, answered with what the process was given ---
#
# ``reach(port, url, control, numbers)`` puts something into the simulator with its control
# call (``control``: the gateway's certificate), then asks for it through ``port`` (the
# gateway's adapter, or one a test built with the wrong context) and checks the answer.
Reach = Callable[[Any, str, httpx.AsyncClient, Numbers], Awaitable[None]]


def _ok(response: httpx.Response) -> None:
    assert response.status_code < 300, response.text


async def reach_jlis(port: Any, url: str, control: httpx.AsyncClient, numbers: Numbers) -> None:
    number = numbers()
    _ok(await control.post(f"{url}/simulator/not-issued", json={"individual_number": number.value}))
    answer = await port.confirm(number)
    assert (answer.authentic, answer.reason) == (False, "J-LIS reports the number as not issued")


async def reach_intermediate_server(
    port: Any, url: str, control: httpx.AsyncClient, numbers: Numbers
) -> None:
    state = {
        "integrated_addressee_number": "1234567890123456",
        "status": "registered",
        "e_certificate_expires_on": None,
        "as_of": "2026-04-01",
    }
    _ok(await control.put(f"{url}/simulator/card-states", json=state))
    states = await port.card_states()
    assert [s.integrated_addressee_number for s in states] == ["1234567890123456"]


async def reach_federation(
    port: Any, url: str, control: httpx.AsyncClient, numbers: Numbers
) -> None:
    name = f"KKH-IDO-3-20260402-{numbers().value[-6:]}.csv"
    assert await port.send(name, b"H,KKH-IDO,3\n")
    listed = await control.get(f"{url}/v1/files")
    assert name in listed.json()["files"]
    assert await port.fetch_continuation_file(date(2026, 4, 3)) is not None


async def reach_portal(port: Any, url: str, control: httpx.AsyncClient, numbers: Numbers) -> None:
    receipt = f"R-TLS-{numbers().value}"
    signed = CertificateAuthority().issue("resident").sign(receipt, {"answers": {}})
    application = {
        "receipt_number": signed.receipt_number,
        "procedure_code": signed.procedure_code,
        "applied_at": signed.applied_at.isoformat(),
        "payload_b64": base64.b64encode(signed.payload).decode(),
        "signature_b64": base64.b64encode(signed.signature).decode(),
        "certificate_pem": signed.certificate_pem.decode(),
    }
    _ok(await control.post(f"{url}/simulator/applications", json=application))
    assert signed in await port.fetch_new()
    await port.update_status(receipt, "accepted", "")  # so the next run is not offered it


async def reach_resident_records(
    port: Any, url: str, control: httpx.AsyncClient, numbers: Numbers
) -> None:
    serial, holder = f"5E{numbers().value}", numbers().value[:10]
    holders = f"{url}/simulator/certificate-holders/{serial}"
    _ok(await control.put(holders, json={"addressee_number": holder}))
    assert await port.addressee_of_certificate(serial) == holder


@dataclass(frozen=True)
class Counterpart:
    simulator: str  # the name in simulators.txt and of ``python -m kokuho.linkage_simulators``
    setting: str  # the gateway's URL setting
    port: str  # the field of ``Ports`` ``make_ports`` fills from it
    adapter: type[Any]
    reach: Reach


COUNTERPARTS = [
    Counterpart("jlis", "jlis_url", "identity", JlisHttp, reach_jlis),
    Counterpart(
        "intermediate-server",
        "intermediate_server_url",
        "server",
        IntermediateServerHttp,
        reach_intermediate_server,
    ),
    Counterpart("federation", "federation_url", "federation", FederationHttp, reach_federation),
    Counterpart("portal", "portal_url", "portal", PortalHttp, reach_portal),
    Counterpart(
        "resident-records",
        "resident_records_url",
        "residents",
        ResidentRecordsHttp,
        reach_resident_records,
    ),
]
each_counterpart = pytest.mark.parametrize("counterpart", COUNTERPARTS, ids=lambda c: c.simulator)


def test_the_table_covers_every_counterpart_url_setting(tmp_path: Path) -> None:
    # a sixth counterpart setting must join the table, so it is tested over mutual TLS too
    settings = Settings(
        key_directory=tmp_path / "keys",
        create_dev_keys=True,
        **{c.setting: f"http://127.0.0.1:{i + 1}" for i, c in enumerate(COUNTERPARTS)},
    )
    assert set(settings.counterpart_urls()) == {c.setting for c in COUNTERPARTS}


@pytest.fixture(scope="module")
def simulators(pki: Pki) -> Iterator[dict[str, str]]:
    """Every counterpart's simulator process over mutual TLS, as `make run` serves them."""
    with ExitStack() as stack:
        yield {
            c.simulator: stack.enter_context(
                simulator_process(
                    SIMULATORS_DIR,
                    "kokuho.linkage_simulators",
                    c.simulator,
                    pki.simulator_args(),
                    tls_verify=pki.client(),
                )
            )
            for c in COUNTERPARTS
        }


@pytest.fixture
async def control(pki: Pki) -> Any:
    """The simulators' own control calls, with the gateway's certificate."""
    async with httpx.AsyncClient(verify=pki.client(), timeout=10) as client:
        yield client


def gateway_settings(pki: Pki, tmp_path: Path, urls: dict[str, str]) -> Settings:
    return Settings(
        key_directory=tmp_path / "keys",
        create_dev_keys=True,
        federation_outbox=None,
        counterpart_tls_cert_path=pki.client_cert,
        counterpart_tls_key_path=pki.client_key,
        counterpart_tls_ca_path=pki.ca,
        **{c.setting: urls[c.simulator] for c in COUNTERPARTS},
    )


@each_counterpart
async def test_the_gateway_reaches_each_counterpart_over_mutual_tls(
    counterpart: Counterpart,
    pki: Pki,
    simulators: dict[str, str],
    control: httpx.AsyncClient,
    numbers: Numbers,
    tmp_path: Path,
) -> None:
    # the ports as serve builds them: one context from the settings for all five (ADR 0095)
    ports = make_ports(gateway_settings(pki, tmp_path, simulators), utc_now)
    url = simulators[counterpart.simulator]
    await counterpart.reach(getattr(ports, counterpart.port), url, control, numbers)


def _refused_client(pki: Pki, client: str) -> ssl.SSLContext:
    if client == "no certificate":
        return verifying_context(pki.ca)
    if client == "another CA's certificate":
        return mutual_context(pki.ca, pki.other_cert, pki.other_key)
    # the gateway's certificate, but trusting only the other CA: it refuses the server
    return mutual_context(pki.other_ca, pki.client_cert, pki.client_key)


@each_counterpart
@pytest.mark.parametrize(
    "client", ["no certificate", "another CA's certificate", "server from another CA"]
)
async def test_a_counterpart_is_not_reached_without_the_cas_certificates(
    counterpart: Counterpart,
    client: str,
    pki: Pki,
    simulators: dict[str, str],
    control: httpx.AsyncClient,
    numbers: Numbers,
) -> None:
    url = simulators[counterpart.simulator]
    port = counterpart.adapter(url, _refused_client(pki, client))
    with pytest.raises(CounterpartUnavailable, match="unreachable"):
        await counterpart.reach(port, url, control, numbers)
    # nor in the clear: plain HTTP to the TLS port gets no answer
    with pytest.raises(CounterpartUnavailable, match="unreachable"):
        await counterpart.reach(
            counterpart.adapter(url.replace("https://", "http://")), url, control, numbers
        )


async def test_a_refused_file_never_reaches_the_federation(
    pki: Pki, simulators: dict[str, str], control: httpx.AsyncClient
) -> None:
    federation = simulators["federation"]
    name = "KKH-IDO-3-20260402-999999.csv"
    with pytest.raises(CounterpartUnavailable, match="unreachable"):
        await FederationHttp(federation, verifying_context(pki.ca)).send(name, b"H,KKH-IDO,3\n")
    listed = await control.get(f"{federation}/v1/files")
    assert listed.status_code == 200
    assert name not in listed.json()["files"]


@each_counterpart
def test_settings_refuse_a_counterpart_call_in_the_clear(
    counterpart: Counterpart, pki: Pki, tmp_path: Path
) -> None:
    base: dict[str, Any] = {"key_directory": tmp_path / "keys", "create_dev_keys": True}
    name = counterpart.setting
    with pytest.raises(ValidationError, match=f"{name} is https but counterpart_tls_cert_path"):
        Settings(**base, **{name: "https://counterpart.example.jp"})
    with pytest.raises(ValidationError, match=rf"{name} is plain http to counterpart\.example\.jp"):
        Settings(**base, **{name: "http://counterpart.example.jp"})
    with pytest.raises(ValidationError, match=f"{name} must be an http"):
        Settings(**base, **{name: "ftp://127.0.0.1/"})
    # with the three settings, https is taken and the one context is built
    tls = {
        "counterpart_tls_cert_path": pki.client_cert,
        "counterpart_tls_key_path": pki.client_key,
        "counterpart_tls_ca_path": pki.ca,
    }
    https = Settings(**base, **tls, **{name: "https://counterpart.example.jp"})
    assert isinstance(https.counterpart_tls(), ssl.SSLContext)
    # the simulators on this machine stay reachable over plain HTTP (the tests, a bare serve)
    assert Settings(**base, **{name: "http://127.0.0.1:8101"}).counterpart_tls() is None


def test_settings_refuse_half_or_unreadable_tls(pki: Pki, tmp_path: Path) -> None:
    base = {"key_directory": tmp_path / "keys", "create_dev_keys": True}
    with pytest.raises(ValidationError, match="counterpart_tls_key_path"):
        Settings(**base, counterpart_tls_cert_path=pki.client_cert, counterpart_tls_ca_path=pki.ca)
    with pytest.raises(ValidationError, match="counterpart_tls_ca_path"):
        Settings(
            **base,
            counterpart_tls_cert_path=pki.client_cert,
            counterpart_tls_key_path=pki.client_key,
            counterpart_tls_ca_path=tmp_path / "absent.crt",
        )
    with pytest.raises(ValidationError, match="counterpart_tls_cert_path/counterpart_tls_key_path"):
        Settings(
            **base,
            counterpart_tls_cert_path=pki.client_cert,
            counterpart_tls_key_path=pki.other_key,  # not the certificate's key
            counterpart_tls_ca_path=pki.ca,
        )
