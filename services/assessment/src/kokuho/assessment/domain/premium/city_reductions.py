"""The city's own reductions by member attribute (parameter ``city_reductions``; ADR 0036):
after the statutory reductions of a levy, each reduction whose attribute the member has takes
its share of what is left, named ``city:<name>`` in the member's levy line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kokuho.assessment.domain.calendar import age_on
from kokuho.assessment.domain.household import Person
from kokuho.assessment.domain.parameters import CityReduction, Component
from kokuho.assessment.domain.premium.explanation import Reduction

AGE_DAYS = {"april_1": (4, 1, 0), "march_31": (3, 31, 1)}


def has_attribute(reduction: CityReduction, person: Person, fiscal_year: int) -> bool:
    if reduction.attribute == "age":
        month, day, later = AGE_DAYS[reduction.age_on]
        age = age_on(person.birth_date, date(fiscal_year + later, month, day))
        return reduction.age_from <= age <= reduction.age_to
    if reduction.attribute == "newborn":
        return date(fiscal_year, 4, 1) <= person.birth_date <= date(fiscal_year + 1, 3, 31)
    return reduction.attribute in person.attributes


def apply_city_reductions(
    reductions: tuple[CityReduction, ...],
    component: Component,
    levy: str,
    person: Person,
    fiscal_year: int,
    net: Decimal,
    applied: list[Reduction],
) -> Decimal:
    """``net`` after the city's reductions of ``levy`` in ``component`` for ``person``."""
    for reduction in reductions:
        if not net:
            break
        if (
            reduction.levy == levy
            and component in reduction.components
            and has_attribute(reduction, person, fiscal_year)
        ):
            cut = net * reduction.ratio
            applied.append(Reduction(f"city:{reduction.name}", reduction.ratio, cut))
            net -= cut
    return net
