"""Parameter files: every figure cited and marked; a year that is missing or incomplete is
refused by name."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersMissing
from kokuho.assessment.domain.parameters import Component, parse_parameters
from kokuho.assessment.parameters import available_years, load_parameters

FILES = ["national-2025.toml", "national-2026.toml", "hiroshima-2025.toml", "hiroshima-2026.toml"]


def doc(name: str) -> dict[str, Any]:
    text = resources.files("kokuho.assessment.parameters").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


def leaves(d: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict) and "value" in v:
            out.append((k, v))
        elif isinstance(v, dict):
            out += [(f"{k}.{kk}", vv) for kk, vv in leaves(v)]
    return out


@pytest.mark.parametrize("name", FILES)
def test_every_figure_has_a_source_and_a_mark(name: str) -> None:
    figures = leaves(doc(name)["figures"])
    assert len(figures) >= 10
    for key, fig in figures:
        assert fig["mark"] in {"confirmed", "secondary", "unconfirmed"}, key
        assert fig["source"].strip(), key
        if fig["mark"] == "unconfirmed":
            assert fig.get("configuration") is True, key
        assert not isinstance(fig["value"], float), f"{key}: money or rates as binary float"


def test_both_years_load_with_their_components() -> None:
    assert available_years() == [2024, 2025, 2026]  # FY2024 marked unconfirmed (ADR 0035)
    fy25 = load_parameters(2025)
    fy26 = load_parameters(2026)
    assert [c.component for c in fy25.components] == [
        Component.MEDICAL,
        Component.ELDERLY_SUPPORT,
        Component.LONG_TERM_CARE,
    ]
    assert fy26.rates(Component.CHILD_SUPPORT) is not None
    child = fy26.rates(Component.CHILD_SUPPORT)
    assert child is not None
    assert child.adult_per_capita == 56
    assert child.under_18_per_capita_exempt
    assert fy26.reductions.fifty_per_head == 310_000
    assert fy26.figures["national.statutory_reduction.fifty_per_head"].mark == "secondary"
    assert fy25.figures["hiroshima.conventions.rounding_unit"].configuration is True


def test_missing_year_is_refused() -> None:
    with pytest.raises(ParametersMissing) as err:
        load_parameters(2023)
    assert err.value.fiscal_year == 2023
    assert err.value.scope == "national"


def test_missing_city_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "national-2025.toml").write_text(
        resources.files("kokuho.assessment.parameters")
        .joinpath("national-2025.toml")
        .read_text("utf-8"),
        encoding="utf-8",
    )
    with pytest.raises(ParametersMissing) as err:
        load_parameters(2025, directory=tmp_path)
    assert err.value.scope == "hiroshima"


def test_a_missing_figure_is_named() -> None:
    city = doc("hiroshima-2026.toml")
    del city["figures"]["components"]["child_support"]["adult_per_capita"]
    with pytest.raises(ParametersIncomplete) as err:
        parse_parameters(2026, "hiroshima", doc("national-2026.toml"), city)
    assert any(
        "components.child_support.adult_per_capita: missing" in p for p in err.value.problems
    )


def test_a_missing_national_cap_is_named() -> None:
    national = doc("national-2026.toml")
    del national["figures"]["caps"]["child_support"]
    with pytest.raises(ParametersIncomplete) as err:
        parse_parameters(2026, "hiroshima", national, doc("hiroshima-2026.toml"))
    assert any("caps.child_support: missing" in p for p in err.value.problems)


def test_a_city_cap_above_the_statutory_cap_is_refused() -> None:
    city = doc("hiroshima-2025.toml")
    city["figures"]["components"]["medical"]["cap"]["value"] = 670_000
    with pytest.raises(ParametersIncomplete) as err:
        parse_parameters(2025, "hiroshima", doc("national-2025.toml"), city)
    assert any("above the statutory cap" in p for p in err.value.problems)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda f: f["components"]["medical"]["income_rate"].update(value=0.083), "decimal string"),
        (lambda f: f["components"]["medical"]["per_capita"].update(value=-1), "non-negative"),
        (lambda f: f["components"]["medical"]["per_capita"].update(mark="maybe"), "mark"),
        (lambda f: f["components"]["medical"]["per_capita"].update(source=""), "source"),
        (lambda f: f["conventions"]["rounding_unit"].update(configuration=False), "configuration"),
        (lambda f: f["conventions"]["rounding_level"].update(value="member"), "one of"),
        (lambda f: f["conventions"]["rounding_unit"].update(value=0), "at least 1"),
    ],
)
def test_malformed_figures_are_refused(mutate: Any, expected: str) -> None:
    city = copy.deepcopy(doc("hiroshima-2025.toml"))
    mutate(city["figures"])
    with pytest.raises(ParametersIncomplete) as err:
        parse_parameters(2025, "hiroshima", doc("national-2025.toml"), city)
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_a_file_for_another_year_is_refused() -> None:
    with pytest.raises(ParametersIncomplete) as err:
        parse_parameters(2026, "hiroshima", doc("national-2026.toml"), doc("hiroshima-2025.toml"))
    assert any("meta.fiscal_year" in p for p in err.value.problems)
