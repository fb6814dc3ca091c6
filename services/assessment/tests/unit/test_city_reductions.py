"""The city's own reductions by member attribute (ADR 0036): parsed from the city file,
applied after the statutory reductions, explained per member; boundaries of the age, the
newborn and a named attribute."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from kokuho.assessment.domain.errors import ParametersIncomplete
from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.domain.parameters import Component, PremiumParameters, parse_parameters
from kokuho.assessment.domain.premium import LevyLine, assess
from kokuho.assessment.domain.premium.city_reductions import has_attribute


def doc(name: str) -> dict[str, Any]:
    text = resources.files("kokuho.assessment.parameters").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


NATIONAL = doc("national-2025.toml")
CITY = doc("hiroshima-2025.toml")
MINORS = {
    "name": "minors",
    "components": ["medical", "elderly_support"],
    "levy": "per_capita",
    "ratio": "1",
    "attribute": "age",
    "age_from": 0,
    "age_to": 18,
    "age_on": "april_1",
}


def with_reductions(*rows: dict[str, Any]) -> PremiumParameters:
    city = copy.deepcopy(CITY)
    city["figures"]["city_reductions"]["value"] = list(rows)
    return parse_parameters(2025, "hiroshima", NATIONAL, city)


def household(
    *children: date, income: int = 0, attributes: frozenset[str] = frozenset()
) -> Household:
    head = Person(
        "H",
        date(1980, 5, 5),
        Income(salary_revenue=income + 550_000 if income else 0, salary_income=income),
        attributes=attributes,
    )
    kids = tuple(Person(f"C{i}", born) for i, born in enumerate(children))
    return Household("N", "H", (head, *kids))


def lines(params: PremiumParameters, h: Household, levy: str) -> dict[str, LevyLine]:
    result = assess(h, params)
    medical = result.component(Component.MEDICAL)
    assert medical is not None
    return {
        str(line.addressee_number): line for line in medical.segments[0].lines if line.levy == levy
    }


@pytest.mark.parametrize(
    ("born", "waived"),
    [
        (date(2006, 4, 3), True),  # 18 on 2025-04-01 (19 is attained on 2025-04-02)
        (date(2006, 4, 2), False),  # 19 is attained the day before the birthday: 2025-04-01
        (date(2006, 4, 1), False),  # attains 19 on 2025-03-31
        (date(2025, 3, 1), True),
    ],
)
def test_age_on_april_1(born: date, waived: bool) -> None:
    params = with_reductions(MINORS)
    line = lines(params, household(born, income=3_000_000), "per_capita_levy")["C0"]
    names = [r.name for r in line.reductions]
    assert ("city:minors" in names) == waived
    assert (line.net == 0) == waived


def test_age_on_march_31_takes_the_age_at_the_end_of_the_year() -> None:
    row = {**MINORS, "age_on": "march_31"}
    params = with_reductions(row)
    # born 2007-04-01: 18 on 2025-04-01, attains 19 on 2026-03-31 → not reduced at year end
    line = lines(params, household(date(2007, 4, 1), income=3_000_000), "per_capita_levy")["C0"]
    assert "city:minors" not in [r.name for r in line.reductions]
    line = lines(params, household(date(2007, 4, 2), income=3_000_000), "per_capita_levy")["C0"]
    assert "city:minors" in [r.name for r in line.reductions]


def test_applied_after_the_statutory_reduction_and_explained_per_member() -> None:
    half = {**MINORS, "ratio": "0.5"}
    params = with_reductions(half)
    # no income: 7割 reduction, 未就学児 on the 5-year-old, then the city's half
    by_member = lines(params, household(date(2020, 6, 1)), "per_capita_levy")
    child = by_member["C0"]
    assert [r.name for r in child.reductions] == [
        "statutory_70_percent",
        "preschool",
        "city:minors",
    ]
    per_capita = Decimal(30_133)
    after_statutory = per_capita * Decimal("0.3")
    after_preschool = after_statutory * Decimal("0.5")
    assert child.reductions[2].amount == after_preschool * Decimal("0.5")
    assert child.net == after_preschool * Decimal("0.5")
    head = by_member["H"]  # the adult is not reduced by the city
    assert "city:minors" not in [r.name for r in head.reductions]


def test_only_the_components_named() -> None:
    params = with_reductions({**MINORS, "components": ["elderly_support"]})
    result = assess(household(date(2015, 1, 1), income=3_000_000), params)
    for component, waived in ((Component.MEDICAL, False), (Component.ELDERLY_SUPPORT, True)):
        c = result.component(component)
        assert c is not None
        child = next(
            line
            for line in c.segments[0].lines
            if line.levy == "per_capita_levy" and line.addressee_number == "C0"
        )
        assert (child.net == 0) == waived


def test_newborn() -> None:
    row = {**MINORS, "name": "newborn", "attribute": "newborn"}
    row.pop("age_from")
    row.pop("age_to")
    params = with_reductions(row)
    born_in_year = lines(params, household(date(2025, 4, 1), income=3_000_000), "per_capita_levy")
    born_before = lines(params, household(date(2025, 3, 31), income=3_000_000), "per_capita_levy")
    assert born_in_year["C0"].net == 0
    assert born_before["C0"].net > 0
    born_last_day = lines(params, household(date(2026, 3, 31), income=3_000_000), "per_capita_levy")
    assert born_last_day["C0"].net == 0
    assert born_last_day["C0"].reductions[-1].rate == Decimal(1)  # the ratio is explained
    reduction = params.city_reductions[0]
    assert not has_attribute(reduction, Person("N", date(2026, 4, 1)), 2025)  # the next year's
    assert has_attribute(reduction, Person("N", date(2025, 4, 1)), 2025)


def test_a_named_attribute_on_the_income_levy() -> None:
    row = {
        "name": "disability",
        "components": ["medical"],
        "levy": "income",
        "ratio": "0.3",
        "attribute": "disability",
    }
    params = with_reductions(row)
    plain = lines(params, household(income=3_000_000), "income_levy")["H"]
    reduced = lines(
        params, household(income=3_000_000, attributes=frozenset({"disability"})), "income_levy"
    )["H"]
    assert plain.net == plain.gross
    assert reduced.reductions[-1].name == "city:disability"
    assert reduced.net == plain.gross * Decimal("0.7")


def test_reductions_never_raise_the_premium() -> None:
    plain = assess(household(date(2010, 1, 1), income=2_000_000), with_reductions())
    reduced = assess(household(date(2010, 1, 1), income=2_000_000), with_reductions(MINORS))
    assert reduced.total < plain.total


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"levy": "asset"}, "levy must be one of"),
        ({"ratio": "1.5"}, "ratio must be a decimal string"),
        ({"ratio": 1}, "ratio must be a decimal string"),
        ({"ratio": "NaN"}, "ratio must be a decimal string"),
        ({"ratio": "Infinity"}, "ratio must be a decimal string"),
        ({"ratio": "0"}, "ratio must be a decimal string"),
        ({"age_from": 19}, "age_from ≤ age_to"),
        ({"age_on": "birthday"}, "age_on april_1 or march_31"),
        ({"components": ["dental"]}, "needs name, components"),
        ({"colour": "red"}, "a table with"),
    ],
)
def test_a_malformed_reduction_is_refused_by_name(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(ParametersIncomplete) as refused:
        with_reductions({**MINORS, **change})
    assert "city_reductions[0]" in str(refused.value)
    assert expected in str(refused.value)


def test_the_list_is_required() -> None:
    city = copy.deepcopy(CITY)
    del city["figures"]["city_reductions"]
    with pytest.raises(ParametersIncomplete, match="city_reductions: missing"):
        parse_parameters(2025, "hiroshima", NATIONAL, city)
