"""料率改定試算 on PostgreSQL (ADR 0039): the demo city (``seed``) under two candidate sets;
the current set reproduces the stored assessments; a bad candidate is refused before any
household is read; the what-if takes a parameter set too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kokuho.assessment.commands import rate_simulation, seed

from ..conftest import Running

pytestmark = pytest.mark.integration

SUPERVISOR = "assessment.supervisor"
CANDIDATES = [
    {
        "name": "medical-up",
        "figures": {
            "components.medical.income_rate": "0.0900",
            "components.medical.per_capita": 33000,
        },
    },
    {
        "name": "caps-down",
        "figures": {"components.medical.cap": 500000, "components.elderly_support.cap": 200000},
    },
]


async def test_the_demo_city_under_two_parameter_sets(running: Running) -> None:
    await seed(running.settings)
    stored = await running.fetch("SELECT annual_amount FROM assessments WHERE fiscal_year = 2026")
    r = await running.client.post(
        "/api/v1/rate-simulations",
        json={"fiscal_year": 2026, "candidates": CANDIDATES},
        headers=running.headers(SUPERVISOR),
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["households"] == len(stored) == 3
    current = out["current"]
    assert current["total"] == sum(row["annual_amount"] for row in stored)
    assert sum(current["levy_per_component"].values()) >= current["total"] - 3 * 100
    assert set(current["households_at_cap"]) == {
        "medical",
        "elderly_support",
        "long_term_care",
        "child_support",
    }
    assert sum(current["households_per_reduction"].values()) == 3
    assert current["deciles"]["min"] <= current["deciles"]["p50"] <= current["deciles"]["max"]
    up, down = out["candidates"]
    assert up["name"] == "medical-up"
    assert up["difference"]["per_component"]["medical"] > 0
    assert up["difference"]["per_component"]["elderly_support"] == 0
    assert up["difference"]["households_down"] == 0
    assert down["difference"]["total"] <= 0
    assert down["difference"]["households_up"] == 0
    # nothing stored as an assessment
    after = await running.fetch("SELECT annual_amount FROM assessments WHERE fiscal_year = 2026")
    assert after == stored
    audit = await running.fetch(
        "SELECT detail FROM audit.log WHERE operation LIKE '%rate-simulations%'"
    )
    assert len(audit) == 1


async def test_a_bad_candidate_is_refused(running: Running) -> None:
    r = await running.client.post(
        "/api/v1/rate-simulations",
        json={
            "fiscal_year": 2026,
            "candidates": [{"name": "x", "figures": {"components.medical.income_rate": 0.09}}],
        },
        headers=running.headers(SUPERVISOR),
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "components.medical.income_rate" in r.text
    r = await running.client.post(
        "/api/v1/rate-simulations",
        json={"fiscal_year": 2026, "candidates": CANDIDATES},
        headers=running.headers("assessment.clerk"),
    )
    assert r.status_code == 403


async def test_what_if_with_a_parameter_set(running: Running) -> None:
    body = {
        "fiscal_year": 2026,
        "householder": "A",
        "people": [
            {"label": "A", "birth_date": "1980-05-05", "income": {"salary_revenue": 4000000}}
        ],
    }
    plain = await running.client.post(
        "/api/v1/premium-calculations", json=body, headers=running.headers(SUPERVISOR)
    )
    assert plain.status_code == 200, plain.text
    candidate = {"name": "up", "figures": {"components.medical.per_capita": 40000}}
    changed = await running.client.post(
        "/api/v1/premium-calculations",
        json={**body, "parameters": candidate},
        headers=running.headers(SUPERVISOR),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["annual_amount"] > plain.json()["annual_amount"]
    assert "candidate up" in str(changed.json()["explanation"])


async def test_the_command_prints_the_same_answer(
    running: Running, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed(running.settings)
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"fiscal_year": 2026, "candidates": CANDIDATES}), "utf-8")
    assert await rate_simulation(running.settings, [str(request)]) == 0
    printed = json.loads(capsys.readouterr().out)
    r = await running.client.post(
        "/api/v1/rate-simulations",
        json={"fiscal_year": 2026, "candidates": CANDIDATES},
        headers=running.headers(SUPERVISOR),
    )
    assert printed == r.json()
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "fiscal_year": 2026,
                "candidates": [{"name": "x", "figures": {"components.medical.cap": 9000000}}],
            }
        ),
        "utf-8",
    )
    assert await rate_simulation(running.settings, [str(bad)]) == 2
    assert "components.medical.cap" in capsys.readouterr().err
