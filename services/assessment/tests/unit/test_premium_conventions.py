"""City conventions (rules.md 5b) as parameters: 資産割, rounding of reduced levies, rounding
level, proration unit."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from importlib import resources
from typing import Any

from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.domain.parameters import Component, PremiumParameters, parse_parameters
from kokuho.assessment.domain.premium import assess


def doc(name: str) -> dict[str, Any]:
    text = resources.files("kokuho.assessment.parameters").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


def params_2025(**conventions: Any) -> tuple[PremiumParameters, dict[str, Any]]:
    city = copy.deepcopy(doc("hiroshima-2025.toml"))
    for key, value in conventions.items():
        if key == "asset_rate":
            city["figures"]["components"]["medical"]["asset_rate"]["value"] = value
        else:
            city["figures"]["conventions"][key]["value"] = value
    return parse_parameters(2025, "hiroshima", doc("national-2025.toml"), city), city


def two_without_income() -> Household:
    people = tuple(Person(f"000000000{i}", date(1995, 6, 1)) for i in (1, 2))
    return Household("9000000001", "0000000001", people)


def test_reduced_per_capita_rounded_per_member() -> None:
    params, _ = params_2025()
    seg = assess(two_without_income(), params).components[0].segments[0]
    # 7割: 30,133 × 0.3 = 9,039.9 → 9,039 each → 18,078
    assert seg.per_capita_levy == 18_078


def test_reduced_per_capita_rounded_on_the_household_sum() -> None:
    params, _ = params_2025(reduced_levy_rounding="household")
    seg = assess(two_without_income(), params).components[0].segments[0]
    # 9,039.9 × 2 = 18,079.8 → 18,079: one yen more than per member
    assert seg.per_capita_levy == 18_079


def test_rounding_to_ten_yen() -> None:
    params, _ = params_2025(rounding_unit=10)
    a = assess(two_without_income(), params)
    # 医療 18,078 + 8,927 = 27,005 → 27,000; 支援 3,099×2 + 3,060 = 9,258 → 9,250
    assert [c.amount for c in a.components] == [27_000, 9_250]


def test_rounding_level_total() -> None:
    params, _ = params_2025(rounding_level="total")
    a = assess(two_without_income(), params)
    # components in yen: 27,005 and 9,258; total 36,263 → 36,200
    assert [c.amount for c in a.components] == [27_005, 9_258]
    assert a.total == 36_200


def test_asset_levy_where_a_city_uses_it() -> None:
    params, _ = params_2025(asset_rate="0.25")
    member = Person(
        "0000000001", date(1995, 6, 1), Income(other_income=5_000_000, fixed_asset_tax=80_001)
    )
    seg = assess(Household("9000000001", "0000000001", (member,)), params).components[0].segments[0]
    # 資産割 80,001 × 25% = 20,000.25 → 20,000
    # 医療 4,570,000 × 8.3% = 379,310 + 20,000 + 30,133 + 29,758 = 459,201 → 459,200
    assert seg.asset_levy == 20_000
    assert seg.annual == 459_200


def test_prorated_unit_one_yen() -> None:
    params, _ = params_2025(prorated_rounding_unit=1)
    member = Person(
        "0000000001", date(1995, 6, 1), Income(salary_income=2_000_000), loss_date=date(2025, 6, 1)
    )
    a = assess(Household("9000000001", "0000000001", (member,)), params)
    # 支援 64,100 × 2/12 = 10,683.3 → 10,683
    assert a.component(Component.ELDERLY_SUPPORT).amount == 10_683  # type: ignore[union-attr]
