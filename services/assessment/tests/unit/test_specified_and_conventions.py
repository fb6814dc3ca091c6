"""特定世帯 / 特定継続世帯 平等割 derived by rule (1/2 and 3/4 with the city's rounding; a
configured figure must agree), and reduced-levy rounding as a required choice (ADR 0036)."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest

from kokuho.assessment.domain.errors import ParametersIncomplete
from kokuho.assessment.domain.parameters import Component, PremiumParameters, parse_parameters
from kokuho.assessment.domain.premium.rounding import round_reduced


def doc(name: str) -> dict[str, Any]:
    text = resources.files("kokuho.assessment.parameters").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


NATIONAL = doc("national-2025.toml")
CITY = doc("hiroshima-2025.toml")


def parsed(city: dict[str, Any]) -> PremiumParameters:
    return parse_parameters(2025, "hiroshima", NATIONAL, city)


def city_with(per_household: int, rounding: str = "up", **configured: int) -> dict[str, Any]:
    city = copy.deepcopy(CITY)
    medical = city["figures"]["components"]["medical"]
    medical["per_household"]["value"] = per_household
    for name, value in configured.items():
        medical[name] = {"value": value, "mark": "confirmed", "source": "the city's notice"}
    city["figures"]["conventions"]["specified_household_rounding"]["value"] = rounding
    return city


def medical(params: PremiumParameters) -> tuple[int | None, int | None]:
    rates = params.rates(Component.MEDICAL)
    assert rates is not None
    return rates.specified_per_household, rates.specified_continuing_per_household


@pytest.mark.parametrize(
    ("per_household", "rounding", "specified", "continuing"),
    [
        # Hiroshima FY2019 (rules.md §2.4 [P21]): 27,689 → 13,845 / 20,767 (rounded up)
        (27_689, "up", 13_845, 20_767),
        # 支援分 FY2019: 8,451 → 4,226 / 6,339 (6,338.25 rounded up; half-up would give 6,338)
        (8_451, "up", 4_226, 6_339),
        (8_451, "half_up", 4_226, 6_338),
        (8_451, "down", 4_225, 6_338),
        (8_450, "up", 4_225, 6_338),  # 6,337.5: an exact half
        (8_450, "half_up", 4_225, 6_338),
        (8_450, "down", 4_225, 6_337),
        (8_452, "up", 4_226, 6_339),  # 6,339 exactly: nothing to round
        (8_452, "down", 4_226, 6_339),
    ],
)
def test_specified_amounts_are_derived(
    per_household: int, rounding: str, specified: int, continuing: int
) -> None:
    assert medical(parsed(city_with(per_household, rounding))) == (specified, continuing)


def test_the_packaged_years_give_the_derived_figures_of_standard_and_rates() -> None:
    # standard-and-rates.md §B.3 FY2025: 医療 14,879 / 22,319; 支援 5,101 / 7,651
    params = parsed(CITY)
    assert medical(params) == (14_879, 22_319)
    support = params.rates(Component.ELDERLY_SUPPORT)
    assert support is not None
    assert (support.specified_per_household, support.specified_continuing_per_household) == (
        5_101,
        7_651,
    )
    care = params.rates(Component.LONG_TERM_CARE)
    assert care is not None
    assert care.specified_per_household is None  # 介護分 is not reduced


def test_a_configured_figure_that_agrees_is_accepted() -> None:
    city = city_with(
        27_689, specified_per_household=13_845, specified_continuing_per_household=20_767
    )
    assert medical(parsed(city)) == (13_845, 20_767)


def test_a_configured_figure_that_disagrees_is_refused_by_name() -> None:
    # another city's figure left in (Kanazawa FY2025 特定世帯 12,600, rules.md §2.5)
    city = city_with(27_689, specified_per_household=12_600)
    with pytest.raises(ParametersIncomplete) as refused:
        parsed(city)
    assert (
        "components.medical.specified_per_household: 12600 disagrees with the rule's 13845"
        in str(refused.value)
    )


def test_a_configured_figure_for_a_component_the_rule_leaves_alone_is_refused() -> None:
    city = copy.deepcopy(CITY)
    city["figures"]["components"]["long_term_care"]["specified_per_household"] = {
        "value": 3_581,
        "mark": "confirmed",
        "source": "x",
    }
    with pytest.raises(ParametersIncomplete, match=r"long_term_care\.specified_per_household"):
        parsed(city)


def test_the_specified_rounding_is_required() -> None:
    city = copy.deepcopy(CITY)
    del city["figures"]["conventions"]["specified_household_rounding"]
    with pytest.raises(ParametersIncomplete, match="specified_household_rounding: missing"):
        parsed(city)


def test_reduced_levy_rounding_is_a_required_choice() -> None:
    city = copy.deepcopy(CITY)
    del city["figures"]["conventions"]["reduced_levy_rounding"]
    with pytest.raises(ParametersIncomplete) as refused:
        parsed(city)
    message = str(refused.value)
    assert "conventions.reduced_levy_rounding: missing; must be chosen explicitly" in message
    assert "per_member" in message
    assert "household" in message


def test_reduced_levy_rounding_refuses_another_value() -> None:
    city = copy.deepcopy(CITY)
    city["figures"]["conventions"]["reduced_levy_rounding"]["value"] = "nearest"
    with pytest.raises(ParametersIncomplete, match="reduced_levy_rounding: must be one of"):
        parsed(city)


def test_the_engine_has_no_default_rounding() -> None:
    from decimal import Decimal

    with pytest.raises(KeyError):
        round_reduced([Decimal("0.5")], "nearest")
    assert round_reduced([Decimal("0.5"), Decimal("0.5")], "per_member") == 0
    assert round_reduced([Decimal("0.5"), Decimal("0.5")], "household") == 1
