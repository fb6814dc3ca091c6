"""Kafka clients over mutual TLS on the real local broker (issue 17, ADR 0099).

The broker's TLS listener (`make up`, deploy/local/kafka.sh) takes a client certificate from the
local CA and maps its CN to the broker user of that name, so the ACLs deploy/kafka_access.py
derives apply to the certificate as to the password. A service connected with its certificate
produces and consumes on its topics; a client without a certificate, with one from another CA,
or dialling the broker under a name its certificate does not carry is refused with a reason;
the certificate's user is refused another service's topic.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from kokuho.eligibility.config import Settings as EligibilitySettings
from kokuho.events.runtime.connection import (
    KafkaConnection,
    KafkaTlsRefused,
    check_tls,
    connection_from_endpoints,
)
from kokuho.events.runtime.tls import verifying_context
from kokuho.events.runtime.topics import TopicSpec, ensure_topics
from kokuho.platform.testing import OwnTopics

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = ROOT / ".local" / "endpoints.json"
TLS_TOOL = ROOT / "deploy" / "local" / "tls.py"


@pytest.fixture(scope="module")
def listener() -> dict[str, str]:
    """The broker's mutual-TLS listener as `make up` recorded it; failing (not skipping) when
    the running broker was started before it had one."""
    try:
        tls = json.loads(ENDPOINTS.read_text())["kafka"]["tls"]
    except (OSError, ValueError, KeyError) as exc:
        pytest.fail(f"no Kafka TLS listener in {ENDPOINTS} ({exc}): run `make up`", pytrace=False)
    host, _, port = tls["bootstrap_servers"].rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        pytest.fail(
            f"the broker does not listen for TLS on {tls['bootstrap_servers']} ({exc}): it was "
            "started before its TLS listener existed (ADR 0099); restart it: make down && make up",
            pytrace=False,
        )
    return dict(tls)


def as_certificate(listener: dict[str, str], user: str) -> KafkaConnection:
    return connection_from_endpoints({"tls": listener}, user, tls=True)


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second CA with a client certificate for eligibility: right name, wrong authority."""
    where = tmp_path_factory.mktemp("other-ca")
    options = ["--client", "--out", str(where), "--ca-dir", str(where)]
    subprocess.run(
        [sys.executable, str(TLS_TOOL), "issue", "eligibility", *options],
        check=True,
        capture_output=True,
    )
    return where


async def produce(connection: KafkaConnection, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(**connection.client_options(), request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"tls-test")
    finally:
        await producer.stop()


async def produce_once_granted(connection: KafkaConnection, topic: str, value: bytes) -> None:
    """``produce``, waiting for the grants ``own_topics`` just made to reach the broker's
    authorizer (the controller commits them; the broker applies them a moment later)."""
    for _ in range(40):
        try:
            await produce(connection, topic, value)
            return
        except TopicAuthorizationFailedError:
            await asyncio.sleep(0.25)
    await produce(connection, topic, value)  # still refused after 10 s: the test fails here


async def consume_one(connection: KafkaConnection, topic: str, group: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **connection.client_options(),
    )
    await consumer.start()
    try:
        for _ in range(20):
            batches = await consumer.getmany(timeout_ms=500)
            values = [r.value for records in batches.values() for r in records if r.value]
            if values:
                await consumer.commit()
                return values
        return []
    finally:
        await consumer.stop()


async def test_a_service_with_its_certificate_produces_and_consumes_its_topics(
    listener: dict[str, str], own_topics: OwnTopics, monkeypatch: pytest.MonkeyPatch
) -> None:
    """eligibility configured as in the cluster (KAFKA_SECURITY_PROTOCOL=SSL and the three
    files), its rules on this test's topics granted to User:eligibility (own_topics): the
    certificate's principal."""
    mine = as_certificate(listener, "eligibility")
    prefix = "KOKUHO_ELIGIBILITY_"
    for name, value in {
        "KAFKA_BOOTSTRAP_SERVERS": listener["bootstrap_servers"],
        "KAFKA_SECURITY_PROTOCOL": "SSL",
        "KAFKA_TLS_CA_PATH": str(mine.tls_ca_path),
        "KAFKA_TLS_CERT_PATH": str(mine.tls_cert_path),
        "KAFKA_TLS_KEY_PATH": str(mine.tls_key_path),
    }.items():
        monkeypatch.setenv(prefix + name, value)
    settings = EligibilitySettings(
        events_topic=own_topics.eligibility_events,
        consumer_group_prefix=own_topics.consumer_group_prefix,
    )
    connection = settings.kafka_connection()
    assert connection.security_protocol == "SSL"
    await connection.check_tls()  # accepted both ways
    value = f"over-tls-{uuid.uuid4().hex}".encode()
    await produce_once_granted(connection, own_topics.eligibility_events, value)
    group = f"{own_topics.consumer_group_prefix}.eligibility.tls-test"
    assert await consume_one(connection, own_topics.eligibility_events, group) == [value]


async def test_acls_apply_to_the_certificates_user(
    listener: dict[str, str], own_topics: OwnTopics, kafka: KafkaConnection
) -> None:
    """Certificate CN=eligibility is User:eligibility: refused assessment's topics (this
    test's and the real one), and a department's certificate is refused eligibility's topic."""
    eligibility = as_certificate(listener, "eligibility")
    # its own topic first: the grants have reached the authorizer, so what follows is refused
    # by the rules, not by their absence
    await produce_once_granted(eligibility, own_topics.eligibility_events, b"granted")
    await ensure_topics(kafka, [TopicSpec("kokuho.assessment.events", 3, 1)])
    for topic in (own_topics.assessment_events, "kokuho.assessment.events"):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(eligibility, topic, b"must not arrive")
    department = as_certificate(listener, "ltc-insurance-division")
    with pytest.raises(TopicAuthorizationFailedError):
        await consume_one(
            department, own_topics.eligibility_events, "ltc-insurance-division.tls-test"
        )
    # nothing arrived on the test's assessment topic (read as the set-up's super user)
    group = f"{own_topics.consumer_group_prefix}.check.{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        own_topics.assessment_events,
        group_id=group,
        auto_offset_reset="earliest",
        **kafka.client_options(),
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=2000)
    finally:
        await consumer.stop()
    assert not any(batches.values())


async def test_a_client_without_a_certificate_is_refused(listener: dict[str, str]) -> None:
    ca_only = verifying_context(Path(listener["ca_file"]))
    with pytest.raises(KafkaTlsRefused, match="refused this client's certificate"):
        await check_tls(listener["bootstrap_servers"], ca_only)
    producer = AIOKafkaProducer(
        bootstrap_servers=listener["bootstrap_servers"],
        security_protocol="SSL",
        ssl_context=ca_only,
        request_timeout_ms=10_000,
    )
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()


async def test_a_certificate_from_another_ca_is_refused(
    listener: dict[str, str], other_ca: Path
) -> None:
    stranger = KafkaConnection(
        listener["bootstrap_servers"],
        security_protocol="SSL",
        tls_ca_path=Path(listener["ca_file"]),
        tls_cert_path=other_ca / "eligibility.crt",
        tls_key_path=other_ca / "eligibility.key",
    )
    with pytest.raises(KafkaTlsRefused, match=r"refused this client's certificate .*eligibility"):
        await stranger.check_tls()
    with pytest.raises(KafkaConnectionError):
        await produce(stranger, "kokuho.eligibility.events", b"must not arrive")


async def test_a_broker_under_another_name_or_from_another_ca_is_not_trusted(
    listener: dict[str, str], other_ca: Path
) -> None:
    mine = as_certificate(listener, "eligibility")
    _, _, port = listener["bootstrap_servers"].rpartition(":")
    # the broker's certificate names 127.0.0.1 only
    renamed = KafkaConnection(
        f"localhost:{port}",
        security_protocol="SSL",
        tls_ca_path=mine.tls_ca_path,
        tls_cert_path=mine.tls_cert_path,
        tls_key_path=mine.tls_key_path,
    )
    with pytest.raises(KafkaTlsRefused, match=r"not trusted.*not valid for 'localhost'"):
        await renamed.check_tls()
    with pytest.raises(KafkaConnectionError):
        await produce(renamed, "kokuho.eligibility.events", b"must not arrive")
    trusting_another = KafkaConnection(
        listener["bootstrap_servers"],
        security_protocol="SSL",
        tls_ca_path=other_ca / "ca.crt",
        tls_cert_path=mine.tls_cert_path,
        tls_key_path=mine.tls_key_path,
    )
    with pytest.raises(KafkaTlsRefused, match="unable to get local issuer certificate"):
        await trusting_another.check_tls()


def test_a_service_that_cannot_trust_the_broker_stops_with_the_reason(
    listener: dict[str, str],
) -> None:
    """`serve` checks the TLS listener before it starts: exit 2 and the verifier's reason, not
    aiokafka's "Unable to bootstrap" later in a background task."""
    mine = as_certificate(listener, "eligibility")
    _, _, port = listener["bootstrap_servers"].rpartition(":")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")}
    prefix = "KOKUHO_ELIGIBILITY_"
    started = subprocess.run(
        [sys.executable, "-m", "kokuho.eligibility", "serve"],
        env=env
        | {
            f"{prefix}KAFKA_BOOTSTRAP_SERVERS": f"localhost:{port}",
            f"{prefix}KAFKA_SECURITY_PROTOCOL": "SSL",
            f"{prefix}KAFKA_TLS_CA_PATH": str(mine.tls_ca_path),
            f"{prefix}KAFKA_TLS_CERT_PATH": str(mine.tls_cert_path),
            f"{prefix}KAFKA_TLS_KEY_PATH": str(mine.tls_key_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2, started.stderr
    assert "not trusted" in started.stderr
    assert "not valid for 'localhost'" in started.stderr
    assert "Traceback" not in started.stderr
