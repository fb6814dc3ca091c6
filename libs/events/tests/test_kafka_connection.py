"""KafkaConnection: every client authenticates; incomplete credentials are refused when the
connection is made, never discovered at the first send (ADR 0086)."""

from __future__ import annotations

import importlib.util
import json
import ssl
from pathlib import Path
from types import ModuleType

import pytest

from kokuho.events.runtime.access import AclRule, bindings, reader_rules, service_rules
from kokuho.events.runtime.connection import (
    KafkaConnection,
    KafkaConnectionError,
    local_connection,
)

ROOT = Path(__file__).resolve().parents[3]


def _tls_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("local_tls", ROOT / "deploy/local/tls.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def certificates(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A CA of the test's own (deploy/local/tls.py) and a client certificate it signed."""
    ca_dir = tmp_path / "ca"
    cert = _tls_tool().issue("eligibility", tmp_path, dns=[], ips=[], client=True, ca_dir=ca_dir)
    return ca_dir / "ca.crt", cert, cert.with_suffix(".key")


def test_sasl_needs_a_user_and_a_password() -> None:
    with pytest.raises(KafkaConnectionError, match="needs a user name and a password"):
        KafkaConnection("127.0.0.1:1")
    with pytest.raises(KafkaConnectionError, match="needs a user name and a password"):
        KafkaConnection("127.0.0.1:1", username="eligibility")
    with pytest.raises(KafkaConnectionError, match="mechanism"):
        KafkaConnection("127.0.0.1:1", sasl_mechanism="PLAIN", username="a", password="b")


def test_tls_needs_all_three_files_and_only_with_a_tls_protocol(tmp_path: Path) -> None:
    ca, cert, key = certificates(tmp_path)
    for protocol in ("SSL", "SASL_SSL"):
        sasl = {"username": "a", "password": "b"} if protocol == "SASL_SSL" else {}
        with pytest.raises(
            KafkaConnectionError, match=r"all three.*tls_cert_path, tls_key_path not"
        ):
            KafkaConnection("h:9093", security_protocol=protocol, tls_ca_path=ca, **sasl)  # type: ignore[arg-type]
        with pytest.raises(KafkaConnectionError, match="tls_ca_path not set"):
            KafkaConnection(
                "h:9093",
                security_protocol=protocol,  # type: ignore[arg-type]
                tls_cert_path=cert,
                tls_key_path=key,
                **sasl,
            )
    # files that a protocol without TLS would ignore are refused, not ignored
    with pytest.raises(KafkaConnectionError, match="does not use TLS"):
        KafkaConnection("h:1", username="a", password="b", tls_ca_path=ca)


def test_tls_files_that_cannot_be_used_are_refused_when_the_connection_is_made(
    tmp_path: Path,
) -> None:
    ca, cert, key = certificates(tmp_path)
    with pytest.raises(KafkaConnectionError, match=r"tls_ca_path: .*missing\.crt"):
        KafkaConnection(
            "h:9093",
            security_protocol="SSL",
            tls_ca_path=tmp_path / "missing.crt",
            tls_cert_path=cert,
            tls_key_path=key,
        )
    with pytest.raises(KafkaConnectionError, match="tls_cert_path/tls_key_path"):
        # a key that is not the certificate's
        KafkaConnection(
            "h:9093", security_protocol="SSL", tls_ca_path=ca, tls_cert_path=cert, tls_key_path=ca
        )


def test_the_tls_context_verifies_the_broker_and_presents_the_client_certificate(
    tmp_path: Path,
) -> None:
    ca, cert, key = certificates(tmp_path)
    c = KafkaConnection(
        "h:9093", security_protocol="SSL", tls_ca_path=ca, tls_cert_path=cert, tls_key_path=key
    )
    options = c.client_options()
    assert options["security_protocol"] == "SSL"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    # the given CA only: no system roots
    assert [
        dict(x[0] for x in ca_cert["subject"])["commonName"] for ca_cert in context.get_ca_certs()
    ] == ["Kokuho local CA (ca)"]
    assert c.client_options()["ssl_context"] is context  # built once, shared by the clients
    sasl_ssl = KafkaConnection(
        "h:9093",
        security_protocol="SASL_SSL",
        username="a",
        password="b",
        tls_ca_path=ca,
        tls_cert_path=cert,
        tls_key_path=key,
    ).client_options()
    assert sasl_ssl["sasl_plain_username"] == "a"
    assert isinstance(sasl_ssl["ssl_context"], ssl.SSLContext)


def test_the_client_options_carry_the_users_credentials_and_repr_hides_the_password() -> None:
    c = KafkaConnection("127.0.0.1:1", username="eligibility", password="s3cret")
    assert c.client_options() == {
        "bootstrap_servers": "127.0.0.1:1",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "eligibility",
        "sasl_plain_password": "s3cret",
    }
    assert "s3cret" not in repr(c)
    assert c.principal == "User:eligibility"
    assert KafkaConnection("h:1", security_protocol="PLAINTEXT").client_options() == {
        "bootstrap_servers": "h:1",
        "security_protocol": "PLAINTEXT",
    }


def test_a_user_missing_from_the_endpoints_file_is_refused(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text(
        json.dumps(
            {
                "kafka": {
                    "bootstrap_servers": "127.0.0.1:1",
                    "security_protocol": "SASL_PLAINTEXT",
                    "sasl_mechanism": "SCRAM-SHA-512",
                    "users": {"admin": "a", "eligibility": "e"},
                }
            }
        )
    )
    assert local_connection("eligibility", path=endpoints).password == "e"
    with pytest.raises(KafkaConnectionError, match="no Kafka user 'benefits'"):
        local_connection("benefits", path=endpoints)
    with pytest.raises(KafkaConnectionError, match="make up"):
        local_connection(path=tmp_path / "missing.json")


def test_a_department_may_only_read_its_feeds_and_use_its_own_groups() -> None:
    rules = reader_rules(topics=["kokuho.feeds.ltc-insurance.eligibility"], group_prefix="ltc.")
    assert rules == [
        AclRule("topic", "kokuho.feeds.ltc-insurance.eligibility", "literal", ("Describe", "Read")),
        AclRule("group", "ltc.", "prefix", ("Describe", "Read")),
    ]
    operations = {b[5] for b in bindings("User:ltc", rules)}
    assert operations == {3, 8}  # READ, DESCRIBE: never WRITE (4) or anything else


def test_a_service_writes_its_own_topics_and_only_the_dead_letters_of_its_inputs() -> None:
    rules = service_rules(
        owned=["kokuho.a.events", "kokuho.a.events.dlq"],
        consumed=["kokuho.b.events"],
        dead_letters=["kokuho.b.events.dlq"],
        group_prefix="kokuho.a.",
    )
    written = {r.name for r in rules if "Write" in r.operations}
    assert written == {"kokuho.a.events", "kokuho.a.events.dlq", "kokuho.b.events.dlq"}
