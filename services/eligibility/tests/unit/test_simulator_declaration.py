"""The list run.sh reads (simulators/simulators.txt) names each eligibility simulator with a
port declared in pyproject.toml and a setting eligibility actually has."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kokuho.eligibility.config import Settings

SERVICE = Path(__file__).resolve().parents[2]
PREFIX = "KOKUHO_ELIGIBILITY_"


def test_every_declared_simulator_has_a_port_and_points_a_setting_at_itself() -> None:
    lines = [
        line.split()
        for line in (SERVICE / "simulators" / "simulators.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert [line[0] for line in lines] == ["resident-register"]
    ports = tomllib.loads((SERVICE / "pyproject.toml").read_text())["tool"]["kokuho"]["simulators"]
    assert set(ports) == {"resident-register"}
    for name, module, setting, *tls in lines:
        assert module == "kokuho.eligibility_simulators"
        assert (SERVICE / "simulators" / "kokuho" / "eligibility_simulators").is_dir()
        assert setting.startswith(PREFIX)
        assert setting.removeprefix(PREFIX).lower() in Settings.model_fields
        assert 8101 <= ports[name] <= 8199
        # served over mutual TLS (ADR 0095): run.sh hands eligibility its client certificate
        # as KOKUHO_ELIGIBILITY_COUNTERPART_TLS_{CERT,KEY,CA}_PATH
        assert tls == ["mtls"]
    assert {
        "counterpart_tls_cert_path",
        "counterpart_tls_key_path",
        "counterpart_tls_ca_path",
    } <= set(Settings.model_fields)
