"""A service's Kafka settings fail closed: without its own user it does not start (ADR 0086)."""

from __future__ import annotations

import pytest

from kokuho.platform.settings import ServiceSettings, StartupRefused


def test_a_service_without_its_kafka_user_refuses_to_start() -> None:
    settings = ServiceSettings(service_name="probe")
    with pytest.raises(StartupRefused, match=r"probe: .* a user name and a password"):
        settings.kafka_connection()


def test_the_service_connects_as_the_user_its_settings_name() -> None:
    settings = ServiceSettings(
        service_name="probe",
        kafka_username="probe",
        kafka_password="pw",  # type: ignore[arg-type]
    )
    connection = settings.kafka_connection()
    assert connection.principal == "User:probe"
    assert connection.client_options()["sasl_plain_password"] == "pw"
    assert "pw" not in repr(settings)


def test_plaintext_only_when_named() -> None:
    named = ServiceSettings(service_name="probe", kafka_security_protocol="PLAINTEXT")
    assert named.kafka_connection().principal == "User:ANONYMOUS"
