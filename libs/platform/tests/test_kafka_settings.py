"""A service's Kafka settings fail closed: without its own user it does not start (ADR 0086);
TLS to the broker takes its three files, all readable, or none (ADR 0099)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from kokuho.platform.settings import ServiceSettings, StartupRefused

TLS_TOOL = Path(__file__).resolve().parents[3] / "deploy" / "local" / "tls.py"


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


# --- TLS to the broker (ADR 0099) ------------------------------------------------------------


def _certificates(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A CA of the test's own and a client certificate it signed (deploy/local/tls.py)."""
    ca_dir = tmp_path / "ca"
    where = ["--out", str(tmp_path), "--ca-dir", str(ca_dir)]
    subprocess.run(
        [sys.executable, str(TLS_TOOL), "issue", "probe", "--client", *where],
        check=True,
        capture_output=True,
    )
    return ca_dir / "ca.crt", tmp_path / "probe.crt", tmp_path / "probe.key"


def test_tls_settings_give_a_verifying_context_with_the_client_certificate(
    tmp_path: Path,
) -> None:
    ca, cert, key = _certificates(tmp_path)
    settings = ServiceSettings(
        service_name="probe",
        kafka_security_protocol="SSL",
        kafka_tls_ca_path=ca,
        kafka_tls_cert_path=cert,
        kafka_tls_key_path=key,
    )
    options = settings.kafka_connection().client_options()
    assert options["security_protocol"] == "SSL"
    assert options["ssl_context"].check_hostname
    assert "sasl_plain_username" not in options


def test_a_partial_or_unreadable_tls_set_is_refused_with_the_settings_names(
    tmp_path: Path,
) -> None:
    ca, cert, key = _certificates(tmp_path)
    with pytest.raises(ValidationError, match="kafka_tls_key_path not set"):
        ServiceSettings(
            service_name="probe",
            kafka_security_protocol="SSL",
            kafka_tls_ca_path=ca,
            kafka_tls_cert_path=cert,
        )
    with pytest.raises(ValidationError, match=r"kafka_tls_ca_path: .*nowhere\.crt"):
        ServiceSettings(
            service_name="probe",
            kafka_security_protocol="SSL",
            kafka_tls_ca_path=tmp_path / "nowhere.crt",
            kafka_tls_cert_path=cert,
            kafka_tls_key_path=key,
        )
    key.write_text("not a key")
    with pytest.raises(ValidationError, match="kafka_tls_cert_path/kafka_tls_key_path"):
        ServiceSettings(
            service_name="probe",
            kafka_security_protocol="SASL_SSL",
            kafka_username="probe",
            kafka_password="pw",  # type: ignore[arg-type]
            kafka_tls_ca_path=ca,
            kafka_tls_cert_path=cert,
            kafka_tls_key_path=key,
        )
    # files with a protocol that would ignore them: refused, not ignored
    with pytest.raises(ValidationError, match="does not use TLS"):
        ServiceSettings(service_name="probe", kafka_tls_ca_path=ca)
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        ServiceSettings(service_name="probe", kafka_security_protocol="TLS")  # type: ignore[arg-type]


def test_a_service_with_a_partial_tls_set_stops_with_exit_2(tmp_path: Path) -> None:
    ca, cert, _ = _certificates(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOKUHO_")}
    started = subprocess.run(
        [sys.executable, "-m", "kokuho.eligibility", "serve"],
        env=env
        | {
            "KOKUHO_ELIGIBILITY_KAFKA_SECURITY_PROTOCOL": "SSL",
            "KOKUHO_ELIGIBILITY_KAFKA_TLS_CA_PATH": str(ca),
            "KOKUHO_ELIGIBILITY_KAFKA_TLS_CERT_PATH": str(cert),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2, started.stderr
    assert "configuration refused" in started.stderr
    assert "kafka_tls_key_path not set" in started.stderr
    assert "Traceback" not in started.stderr
