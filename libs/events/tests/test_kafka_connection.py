"""KafkaConnection: every client authenticates; incomplete credentials are refused when the
connection is made, never discovered at the first send (ADR 0086)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kokuho.events.runtime.access import AclRule, bindings, reader_rules, service_rules
from kokuho.events.runtime.connection import (
    KafkaConnection,
    KafkaConnectionError,
    local_connection,
)


def test_sasl_needs_a_user_and_a_password() -> None:
    with pytest.raises(KafkaConnectionError, match="needs a user name and a password"):
        KafkaConnection("127.0.0.1:1")
    with pytest.raises(KafkaConnectionError, match="needs a user name and a password"):
        KafkaConnection("127.0.0.1:1", username="eligibility")
    with pytest.raises(KafkaConnectionError, match="mechanism"):
        KafkaConnection("127.0.0.1:1", sasl_mechanism="PLAIN", username="a", password="b")


def test_tls_needs_the_ca_and_mutual_tls_a_certificate() -> None:
    with pytest.raises(KafkaConnectionError, match="cluster CA"):
        KafkaConnection("h:9093", security_protocol="SSL")
    with pytest.raises(KafkaConnectionError, match="client certificate"):
        KafkaConnection("h:9093", security_protocol="SSL", ssl_cafile=Path("ca.crt"))


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
