"""The city's part of a year's parameters (the city parameter file): its conventions of
rounding, its instalment calendar (納期), and its reductions by member attribute. Each reader
appends what is missing or malformed to the reader's problems (``parse.parse_parameters``
refuses the year naming them all)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from kokuho.assessment.domain.parameters.model import (
    CityReduction,
    Component,
    InstalmentCalendar,
)
from kokuho.assessment.domain.parameters.reader import FigureReader


def _required_choice(c: FigureReader, name: str, choices: set[str], meaning: str) -> str | None:
    """A convention every city file must state (no default), its absence explained."""
    if name not in c.leaves:
        c.problems.append(f"{name}: missing; must be chosen explicitly: {meaning}")
        return None
    return c.choice(name, choices)


CITY_REDUCTION_LEVIES = {"per_capita", "income"}
CITY_REDUCTION_KEYS = {
    "name",
    "components",
    "levy",
    "ratio",
    "attribute",
    "age_from",
    "age_to",
    "age_on",
}


def _city_reduction(c: FigureReader, i: int, row: Any) -> CityReduction | None:
    where = f"city_reductions[{i}]"
    if not isinstance(row, Mapping) or set(row) - CITY_REDUCTION_KEYS:
        c.problems.append(f"{where}: a table with {sorted(CITY_REDUCTION_KEYS)} only")
        return None
    try:
        ratio = Decimal(str(row["ratio"])) if isinstance(row.get("ratio"), str) else None
        components = frozenset(Component(v) for v in row["components"])
        attribute = str(row["attribute"])
        reduction = CityReduction(
            name=str(row["name"]),
            components=components,
            levy=str(row["levy"]),
            ratio=ratio if ratio is not None else Decimal(-1),
            attribute=attribute,
            age_from=int(row.get("age_from", 0)),
            age_to=int(row.get("age_to", 0)),
            age_on=str(row.get("age_on", "april_1")),
        )
    except (KeyError, ValueError, TypeError, InvalidOperation):
        c.problems.append(
            f"{where}: needs name, components, levy, ratio (a decimal string), attribute"
        )
        return None
    problems = []
    if reduction.levy not in CITY_REDUCTION_LEVIES:
        problems.append(f"levy must be one of {sorted(CITY_REDUCTION_LEVIES)}")
    if not reduction.ratio.is_finite() or not (0 < reduction.ratio <= 1):
        problems.append('ratio must be a decimal string in (0, 1], e.g. "1"')
    if attribute == "age" and (
        "age_to" not in row
        or reduction.age_from > reduction.age_to
        or reduction.age_on not in {"april_1", "march_31"}
    ):
        problems.append("an age needs age_from ≤ age_to and age_on april_1 or march_31")
    if not components or not reduction.name:
        problems.append("needs a name and at least one component")
    if problems:
        c.problems += [f"{where} ({reduction.name}): {p}" for p in problems]
        return None
    return reduction


def city_reductions(c: FigureReader) -> tuple[CityReduction, ...]:
    """The city's reductions by member attribute: a required list (empty when none)."""
    fig = c.figure("city_reductions")
    if fig is None:
        return ()
    if not isinstance(fig.value, list):
        c.problems.append("city_reductions: must be a list (empty when the city has none)")
        return ()
    found = [_city_reduction(c, i, row) for i, row in enumerate(fig.value)]
    return tuple(r for r in found if r is not None)


def conventions(c: FigureReader) -> dict[str, Any]:
    return {
        "rounding_unit": c.yen("conventions.rounding_unit"),
        "rounding_level": c.choice("conventions.rounding_level", {"component", "total"}),
        "reduced_levy_rounding": _required_choice(
            c,
            "conventions.reduced_levy_rounding",
            {"per_member", "household"},
            "how reduced levies are cut to the yen: per_member (each member's reduced amount) "
            "or household (the household's sum); the city's ordinance decides, there is no "
            "default",
        ),
        "prorated_rounding_unit": c.yen("conventions.prorated_rounding_unit"),
    }


def _closed_days(c: FigureReader) -> frozenset[tuple[int, int]]:
    closed_fig = c.figure("instalments.closed_days")
    closed: set[tuple[int, int]] = set()
    if closed_fig is not None:
        try:
            for text in closed_fig.value:
                month, day = (int(x) for x in str(text).split("-"))
                date(2000, month, day)  # a leap year accepts every real month-day
                closed.add((month, day))
        except (ValueError, TypeError):
            c.problems.append('instalments.closed_days: must be a list of "MM-DD"')
    return frozenset(closed)


def instalments(c: FigureReader) -> InstalmentCalendar | None:
    """普通徴収 instalments (納期); None when a figure is missing."""
    periods = c.yen("instalments.periods")
    first_month = c.yen("instalments.first_month")
    amount_unit = c.yen("instalments.amount_unit")
    closed = _closed_days(c)
    if periods is not None and not 1 <= periods <= 12:
        c.problems.append("instalments.periods: must lie in 1..12")
    if first_month is not None and not 1 <= first_month <= 12:
        c.problems.append("instalments.first_month: must be a month 1..12")
    if amount_unit == 0:
        c.problems.append("instalments.amount_unit: must be at least 1")
    if periods is None or first_month is None or amount_unit is None:
        return None
    return InstalmentCalendar(
        periods=int(periods or 1),
        first_month=int(first_month or 4),
        closed_days=closed,
        amount_unit=int(amount_unit or 1),
    )


def checked_units(c: FigureReader, conventions: dict[str, Any]) -> None:
    for unit_name in ("rounding_unit", "prorated_rounding_unit"):
        if conventions[unit_name] == 0:
            c.problems.append(f"conventions.{unit_name}: must be at least 1")
            conventions[unit_name] = None
