"""FY2024 (令和6年度), within the correction period in FY2026 (ADR 0035): the national figures
with their sources (rules.md §2.2/§2.3), and Hiroshima's file marked unconfirmed because its
FY2024 rates are not in the sources: the year is refused naming the file and what is missing,
never assessed with another year's rates."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from kokuho.assessment.adapters.memory import InMemoryAssessmentStore, InMemoryAssessmentUnit
from kokuho.assessment.app.assessing import assess_household, first_correctable_year
from kokuho.assessment.app.ports import HouseholdRow, MemberRow
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.calendar import fiscal_year_of
from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersUnconfirmed
from kokuho.assessment.domain.parameters import Component
from kokuho.assessment.parameters import load_parameters
from kokuho.events.testing.fakes import InMemoryEventStore

from ..conftest import city_supplied_fy2024

PACKAGED = resources.files("kokuho.assessment.parameters")
RATES = ("income_rate", "per_capita", "per_household", "cap")


def test_every_year_the_correction_period_reaches_has_its_files() -> None:
    rules = CityRulebook("hiroshima", None)
    for today in (date(2026, 4, 1), date(2026, 12, 6), date(2027, 3, 31)):
        for year in range(first_correctable_year(rules, today), fiscal_year_of(today) + 1):
            assert PACKAGED.joinpath(f"national-{year}.toml").is_file(), (today, year)
            assert PACKAGED.joinpath(f"hiroshima-{year}.toml").is_file(), (today, year)


def test_fy2024_city_file_is_refused_naming_the_file_and_every_missing_rate() -> None:
    with pytest.raises(ParametersUnconfirmed) as refused:
        load_parameters(2024)
    error = refused.value
    assert isinstance(error, ParametersIncomplete)  # retried like any incomplete year
    assert error.problem_slug() == "parameters-unconfirmed"
    assert error.status == 422
    assert error.file_name == "hiroshima-2024.toml"
    assert "standard-and-rates.md" in error.reason
    expected = {
        f"components.{c}.{rate}"
        for c in ("medical", "elderly_support", "long_term_care")
        for rate in RATES
    }
    assert set(error.problems) == expected  # the rates, nothing else: the national file is whole
    message = str(error)
    assert message.startswith("hiroshima-2024.toml is marked unconfirmed")
    assert "components.medical.income_rate" in message
    assert "another year's rates are never used" in message


def test_fy2024_city_file_carries_no_rate_of_another_year() -> None:
    city = tomllib.loads(PACKAGED.joinpath("hiroshima-2024.toml").read_text("utf-8"))
    assert city["meta"]["status"] == "unconfirmed"
    for component in city["figures"]["components"].values():
        assert not set(component) & set(RATES)


def test_fy2024_national_figures(tmp_path: Path) -> None:
    national = tomllib.loads(PACKAGED.joinpath("national-2024.toml").read_text("utf-8"))
    figures = national["figures"]
    for section in ("caps", "statutory_reduction"):
        for name, figure in figures[section].items():
            assert figure["mark"] == "confirmed", name
            assert "rules.md §2." in figure["source"], name
    assert figures["correction"]["years"]["value"] == 2
    # once the city supplies its rates, the year runs on the FY2024 national figures
    params = load_parameters(2024, "hiroshima", city_supplied_fy2024(tmp_path))
    assert params.fiscal_year == 2024
    assert params.documents == ("national-2024.toml", "hiroshima-2024.toml")
    assert [c.component for c in params.components] == [
        Component.MEDICAL,
        Component.ELDERLY_SUPPORT,
        Component.LONG_TERM_CARE,
    ]
    # rules.md §2.2 FY2024: 65万 / 24万 / 17万 = 106万
    assert params.figures["national.caps.medical"].value == 650_000
    assert params.figures["national.caps.elderly_support"].value == 240_000
    assert params.figures["national.caps.long_term_care"].value == 170_000
    # rules.md §2.3 FY2024: 7割 43万 (+10万 per further earner), 5割 +29.5万, 2割 +54.5万
    assert params.reductions.seventy_base == 430_000
    assert params.reductions.earner_addition == 100_000
    assert params.reductions.fifty_per_head == 295_000
    assert params.reductions.twenty_per_head == 545_000
    assert params.correction_years == 2


def test_a_city_cap_above_the_fy2024_statutory_cap_is_refused(tmp_path: Path) -> None:
    directory = city_supplied_fy2024(tmp_path)
    city = directory / "hiroshima-2024.toml"
    # 66万 is FY2025's cap: above FY2024's 65万
    city.write_text(city.read_text("utf-8").replace("value = 650000", "value = 660000"), "utf-8")
    with pytest.raises(ParametersIncomplete) as refused:
        load_parameters(2024, "hiroshima", directory)
    assert "components.medical.cap: 660000 is above the statutory cap 650000" in str(refused.value)


def test_a_status_other_than_unconfirmed_is_refused(tmp_path: Path) -> None:
    directory = city_supplied_fy2024(tmp_path)
    city = directory / "hiroshima-2024.toml"
    text = city.read_text("utf-8").replace(
        "fiscal_year = 2024", 'fiscal_year = 2024\nstatus = "ok"'
    )
    city.write_text(text, "utf-8")
    with pytest.raises(ParametersIncomplete) as refused:
        load_parameters(2024, "hiroshima", directory)
    assert not isinstance(refused.value, ParametersUnconfirmed)
    assert 'meta.status must be "unconfirmed" or absent' in str(refused.value)


def test_a_complete_file_still_marked_unconfirmed_is_refused(tmp_path: Path) -> None:
    directory = city_supplied_fy2024(tmp_path)
    city = directory / "hiroshima-2024.toml"
    text = city.read_text("utf-8").replace(
        "fiscal_year = 2024", 'fiscal_year = 2024\nstatus = "unconfirmed"'
    )
    city.write_text(text, "utf-8")
    with pytest.raises(ParametersUnconfirmed) as refused:
        load_parameters(2024, "hiroshima", directory)
    assert refused.value.problems == ()
    assert "the city has not confirmed them" in str(refused.value)


async def test_assessing_fy2024_is_refused_and_stores_nothing() -> None:
    store, events = InMemoryAssessmentStore(), InMemoryEventStore(source="/kokuho/assessment")
    store.households["9000000024"] = HouseholdRow(
        "9000000024", "1000000024", members=(MemberRow("1000000024", date(1980, 5, 5)),)
    )
    with pytest.raises(ParametersUnconfirmed, match=r"hiroshima-2024\.toml"):
        await assess_household(
            InMemoryAssessmentUnit(store, events),
            CityRulebook("hiroshima", None),
            nhi_household_number="9000000024",
            fiscal_year=2024,
            cause="request",
            actor="U1",
            today=date(2026, 12, 6),
        )
    assert store.assessments == {}
