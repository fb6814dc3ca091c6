"""The CLIs: what-if (保険料試算) gives the same answer as POST /premium-calculations from a JSON
file; bad input to it or to annual-run is named on stderr with exit status 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kokuho.assessment.commands import what_if
from kokuho.assessment.config import Settings

PLAIN = {
    "fiscal_year": 2025,
    "householder": "a",
    "people": [
        {
            "label": "a",
            "birth_date": "1980-05-05",
            "income": {"salary_revenue": 3000000, "salary_income": 2000000},
        }
    ],
}


async def run(
    tmp_path: Path, body: object, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    path = tmp_path / "household.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    code = await what_if(Settings(), [str(path)])
    out, err = capsys.readouterr()
    return code, out, err


async def test_prints_the_premium_and_its_explanation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await run(tmp_path, PLAIN, capsys)
    assert code == 0, err
    answer = json.loads(out)
    assert answer["annual_amount"] == 307_700  # the FY2025 plain case of the engine tests
    assert answer["special_collection"] is None
    assert {c["component"] for c in answer["components"]} == {
        "medical",
        "elderly_support",
        "long_term_care",
    }
    assert answer["explanation"]["components"]


async def test_pension_tells_whether_special_collection_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {
        "fiscal_year": 2025,
        "householder": "a",
        "people": [
            {
                "label": "a",
                "birth_date": "1955-01-10",
                "income": {"pension_revenue": 1680000, "pension_income": 580000},
            }
        ],
        "pension": {
            "annual_amount": 1680000,
            "ltc_special_collection": True,
            "ltc_premium": 70000,
            "previous_february": 7000,
        },
    }
    code, out, err = await run(tmp_path, body, capsys)
    assert code == 0, err
    special = json.loads(out)["special_collection"]
    assert special["applies"] is True
    assert [d["amount"] for d in special["deductions"]] == [7_000] * 3 + [6_568, 6_566, 6_566]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({**PLAIN, "name": "x"}, "/name"),
        ({**PLAIN, "fiscal_year": 2023}, "ParametersMissing"),
        ({**PLAIN, "fiscal_year": 2024}, "hiroshima-2024.toml is marked unconfirmed"),
        ({**PLAIN, "householder": "b"}, "/body/householder"),
        ({**PLAIN, "people": []}, "/people"),
    ],
)
async def test_bad_input_is_named_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: object, named: str
) -> None:
    code, out, err = await run(tmp_path, body, capsys)
    assert code == 2
    assert out == ""
    assert named in err


async def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = await what_if(Settings(), [str(tmp_path / "missing.json")])
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


async def test_annual_run_refuses_a_year_without_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kokuho.assessment.commands import annual_run

    # refused before a connection is opened (the DSN points nowhere)
    settings = Settings(database_dsn="postgresql://nobody@127.0.0.1:1/none")
    assert await annual_run(settings, ["2023"]) == 2
    assert "ParametersMissing" in capsys.readouterr().err
    assert await annual_run(settings, ["2024"]) == 2
    assert "ParametersUnconfirmed: hiroshima-2024.toml" in capsys.readouterr().err
    assert await annual_run(settings, ["2026", "--chunk", "0"]) == 2
    assert "--chunk" in capsys.readouterr().err
