"""The resident register's feed over mutual TLS (C-26..C-28; ADR 0015, 0095): the simulator as
`make run` serves it (``python -m kokuho.eligibility_simulators resident-register`` with
``--tls-*``, certificates from deploy/local/tls.py), eligibility's app built from its
``counterpart_tls_*`` settings reading it on request through the API on the real PostgreSQL. A
client without the CA's certificate is refused, and so is a register from another CA or plain
HTTP to the TLS port. Settings that would read the register in the clear, or half-configured or
unreadable TLS, stop start-up."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from kokuho.eligibility.adapters.register_feed_http import http_reader
from kokuho.eligibility.app.register_pull import FeedUnavailable
from kokuho.eligibility.bootstrap import build
from kokuho.eligibility.config import Settings
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import MutualTlsPki, mutual_tls_pki, serving, simulator_process
from kokuho.platform.tls import mutual_context, verifying_context
from kokuho.platform.token import PrivateKey

from .. import builders as b

pytestmark = pytest.mark.integration

SIMULATORS = Path(__file__).resolve().parents[2] / "simulators"
BATCH = "batch.operator"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> MutualTlsPki:
    return mutual_tls_pki(tmp_path_factory.mktemp("pki"), "eligibility")


@pytest.fixture(scope="module")
def register(pki: MutualTlsPki) -> Iterator[str]:
    """The resident-register simulator over mutual TLS, as `make run` serves it."""
    with simulator_process(
        SIMULATORS,
        "kokuho.eligibility_simulators",
        "resident-register",
        pki.simulator_args(),
        tls_verify=pki.client(),
    ) as url:
        yield url


def tls_settings(pki: MutualTlsPki) -> dict[str, Any]:
    return {
        "counterpart_tls_cert_path": pki.client_cert,
        "counterpart_tls_key_path": pki.client_key,
        "counterpart_tls_ca_path": pki.ca,
    }


async def record_death(pki: MutualTlsPki, register: str) -> str:
    """A death of someone eligibility does not know (a review), recorded in the register; its
    change id."""
    today = date.today()
    change = {
        "kind": "death",
        "addressee_number": b.addressee(),
        "fact_date": (today - timedelta(days=2)).isoformat(),
        "notified_date": today.isoformat(),
    }
    async with httpx.AsyncClient(verify=pki.client(), timeout=10) as control:
        recorded = await control.post(f"{register}/simulator/changes", json=change)
    assert recorded.status_code == 201, recorded.text
    return str(recorded.json()["change_id"])


async def test_eligibility_reads_the_register_over_mutual_tls(
    pki: MutualTlsPki,
    register: str,
    eligibility_settings: Settings,
    signing_key: PrivateKey,
    token: Callable[..., dict[str, str]],
) -> None:
    # validated as serve validates them (the model copy below only keeps the test's database
    # and topics); no consumer and no relay: the session's own app does that work
    Settings(resident_register_url=register, **tls_settings(pki))
    settings = eligibility_settings.model_copy(
        update={
            "resident_register_url": register,
            "resident_register_poll_seconds": None,
            **tls_settings(pki),
            **dict.fromkeys(
                (
                    "linkage_topic",
                    "benefits_topic",
                    "delinquency_topic",
                    "assessment_topic",
                    "collection_topic",
                )
            ),
        }
    )
    change_id = await record_death(pki, register)
    verifier = TokenVerifier([signing_key.public_key()])  # type: ignore[list-item]
    app = build(settings, token_verifier=verifier, relay=False)
    async with serving(app, "eligibility") as client:
        pulled = await client.post("/api/v1/jobs/resident-register", headers=token("op", BATCH))
        assert pulled.status_code == 200, pulled.text
        assert pulled.json()["counts"] == {"review": 1}
        taken = await client.get(
            f"/api/v1/resident-register/changes/{change_id}",
            headers=token("c", "eligibility.clerk"),
        )
    assert taken.status_code == 200, taken.text
    assert taken.json()["outcome"] == "review"


def _refused_client(pki: MutualTlsPki, client: str) -> ssl.SSLContext | None:
    if client == "no certificate":
        return verifying_context(pki.ca)
    if client == "another CA's certificate":
        return mutual_context(pki.ca, pki.other_cert, pki.other_key)
    if client == "server from another CA":
        return mutual_context(pki.other_ca, pki.client_cert, pki.client_key)
    return None  # plain HTTP to the TLS port


@pytest.mark.parametrize(
    "client",
    ["no certificate", "another CA's certificate", "server from another CA", "plain http"],
)
async def test_the_register_is_not_read_without_the_cas_certificates(
    pki: MutualTlsPki, register: str, client: str
) -> None:
    await record_death(pki, register)
    tls = _refused_client(pki, client)
    url = register if tls is not None else register.replace("https://", "http://")
    with pytest.raises(FeedUnavailable, match="unreachable"):
        await http_reader(url, tls)(0, 10)
    # the same call with eligibility's certificate gets the changes: the refusal was the TLS
    assert await http_reader(register, pki.client())(0, 10)


def test_settings_refuse_reading_the_register_in_the_clear(
    pki: MutualTlsPki, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="resident_register_url is https but"):
        Settings(resident_register_url="https://register.city.example")
    with pytest.raises(ValidationError, match=r"plain http to register\.city\.example"):
        Settings(resident_register_url="http://register.city.example")
    with pytest.raises(ValidationError, match="counterpart_tls_key_path"):
        Settings(counterpart_tls_cert_path=pki.client_cert, counterpart_tls_ca_path=pki.ca)
    with pytest.raises(ValidationError, match=r"counterpart_tls_ca_path: .*absent\.crt"):
        Settings(**{**tls_settings(pki), "counterpart_tls_ca_path": tmp_path / "absent.crt"})
    with pytest.raises(ValidationError, match="counterpart_tls_cert_path/counterpart_tls_key_path"):
        Settings(**{**tls_settings(pki), "counterpart_tls_key_path": pki.other_key})
    # https with the three settings is taken; plain http on this machine too (tests, make run)
    https = Settings(resident_register_url="https://register.city.example", **tls_settings(pki))
    assert isinstance(https.counterpart_tls(), ssl.SSLContext)
    assert Settings(resident_register_url="http://127.0.0.1:8121").counterpart_tls() is None
