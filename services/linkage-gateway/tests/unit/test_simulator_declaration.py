"""The list run.sh reads (simulators/simulators.txt) and the simulators the module serves
agree, and each names a setting the gateway actually has."""

from __future__ import annotations

from pathlib import Path

from kokuho.linkage_gateway.config import Settings

DECLARATION = Path(__file__).resolve().parents[2] / "simulators" / "simulators.txt"
PREFIX = "KOKUHO_LINKAGE_GATEWAY_"


def test_every_declared_simulator_points_a_gateway_setting_at_itself() -> None:
    lines = [
        line.split()
        for line in DECLARATION.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {line[0] for line in lines} == {
        "jlis",
        "intermediate-server",
        "federation",
        "portal",
        "resident-records",
    }
    for _name, module, setting, *tls in lines:
        assert module == "kokuho.linkage_simulators"
        assert setting.startswith(PREFIX)
        assert setting.removeprefix(PREFIX).lower() in Settings.model_fields
        assert tls in ([], ["mtls"])
    # every counterpart is reached over mutual TLS under make run too (C-26..C-28, C-76, ADR
    # 0095), so the gateway's counterpart_tls_* settings get them (run.sh)
    assert [line[0] for line in lines if line[3:] != ["mtls"]] == []
    assert {"counterpart_tls_cert_path", "counterpart_tls_key_path"} <= set(Settings.model_fields)
