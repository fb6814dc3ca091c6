"""Building one fiscal year's :class:`PremiumParameters` from the national and the city
parameter file (``kokuho/assessment/parameters/*.toml``; ADR 0030).

A figure that is missing, malformed or of the wrong kind makes the whole year refuse to run
(:class:`ParametersIncomplete`), naming every gap at once. The city's cap may not exceed the
statutory cap (国民健康保険法施行令29条の7). The national tables are read here; the city's
conventions, instalments and reductions in ``city_file``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from kokuho.assessment.domain.errors import ParametersIncomplete, ParametersUnconfirmed
from kokuho.assessment.domain.parameters import city_file
from kokuho.assessment.domain.parameters.model import (
    Component,
    ComponentRates,
    Conventions,
    IncomeBand,
    IncomeConversion,
    PremiumParameters,
    ReductionRules,
    SpecialCollectionRules,
)
from kokuho.assessment.domain.parameters.reader import FigureReader, check_meta


def _component_names(n: FigureReader) -> list[Component]:
    component_fig = n.figure("components")
    if component_fig is None:
        return []
    try:
        return [Component(v) for v in component_fig.value]
    except (ValueError, TypeError):
        n.problems.append("components: unknown component")
        return []


def _city_cap(n: FigureReader, c: FigureReader, key: str) -> int | None:
    statutory_cap = n.yen(f"caps.{key}")
    city_cap = c.yen(f"components.{key}.cap")
    if statutory_cap is not None and city_cap is not None and city_cap > statutory_cap:
        c.problems.append(
            f"components.{key}.cap: {city_cap} is above the statutory cap {statutory_cap}"
        )
    return city_cap


def _child_support_rules(n: FigureReader, c: FigureReader, key: str) -> dict[str, Any]:
    """子ども分: the 18歳以上 均等割 is required; whether the 7/5/2割 and 産前産後 reductions
    apply is the city's convention; under 18 the 均等割 is exempt (national)."""
    return {
        "adult_per_capita": c.yen(f"components.{key}.adult_per_capita"),
        "statutory_reductions_apply": bool(
            c.flag("conventions.child_support_statutory_reductions")
        ),
        "childbirth_exemption_applies": bool(
            c.flag("conventions.child_support_childbirth_exemption")
        ),
        "under_18_per_capita_exempt": bool(n.flag("child_support.under_18_per_capita_exempt")),
    }


#: Rules read only for some components (the other components keep the defaults).
COMPONENT_RULES = {Component.CHILD_SUPPORT: _child_support_rules}


#: conventions.specified_household_rounding: how the half and 3/4 平等割 are cut to the yen
SPECIFIED_ROUNDING = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "half_up": ROUND_HALF_UP}


@dataclass(frozen=True)
class SpecifiedRule:
    """特定世帯 / 特定継続世帯 平等割 by rule: a share of the 平等割 of some components, cut to the
    yen by the city's rounding (rules.md 2.4, standard-and-rates.md B.3; ADR 0036)."""

    components: frozenset[Component]
    share: Decimal  # 特定世帯: 1/2
    continuing_share: Decimal  # 特定継続世帯: 3/4
    rounding: str

    def amount(self, per_household: int, share: Decimal) -> int:
        return int((per_household * share).quantize(Decimal(1), SPECIFIED_ROUNDING[self.rounding]))


def _specified_rule(n: FigureReader, c: FigureReader) -> SpecifiedRule | None:
    fig = n.figure("specified_household.components")
    share = n.ratio("specified_household.per_household_share")
    continuing = n.ratio("specified_continuing_household.per_household_share")
    rounding = c.choice("conventions.specified_household_rounding", set(SPECIFIED_ROUNDING))
    components: frozenset[Component] = frozenset()
    if fig is not None:
        try:
            components = frozenset(Component(v) for v in fig.value)
        except (ValueError, TypeError):
            n.problems.append("specified_household.components: unknown component")
            return None
    if fig is None or share is None or continuing is None or rounding is None:
        return None
    return SpecifiedRule(components, share, continuing, rounding)


def _specified_amounts(
    c: FigureReader, key: str, per_household: int, rule: SpecifiedRule | None, comp: Component
) -> dict[str, int | None]:
    """The derived amounts; a configured figure must agree or the file is refused naming it."""
    derived: dict[str, int | None] = {
        "specified_per_household": None,
        "specified_continuing_per_household": None,
    }
    if rule is not None and comp in rule.components:
        derived["specified_per_household"] = rule.amount(per_household, rule.share)
        derived["specified_continuing_per_household"] = rule.amount(
            per_household, rule.continuing_share
        )
    for name, value in derived.items():
        configured = c.yen(f"components.{key}.{name}", optional=True)
        if configured is None or rule is None:
            continue
        if value is None:
            c.problems.append(
                f"components.{key}.{name}: {configured} configured, but 特定世帯 does not "
                f"reduce {key} (national specified_household.components)"
            )
        elif configured != value:
            c.problems.append(
                f"components.{key}.{name}: {configured} disagrees with the rule's {value} "
                f"(平等割 {per_household} × share, rounded {rule.rounding})"
            )
    return derived


def _component_rates(
    n: FigureReader, c: FigureReader, comp: Component, specified: SpecifiedRule | None
) -> ComponentRates | None:
    key = comp.value
    city_cap = _city_cap(n, c, key)
    income_rate = c.ratio(f"components.{key}.income_rate")
    asset_rate = c.ratio(f"components.{key}.asset_rate")
    per_capita = c.yen(f"components.{key}.per_capita")
    per_household = c.yen(f"components.{key}.per_household")
    optional: dict[str, Any] = {
        "adult_per_capita": c.yen(f"components.{key}.adult_per_capita", optional=True),
    }
    if per_household is not None:
        optional.update(_specified_amounts(c, key, per_household, specified, comp))
    rules = COMPONENT_RULES.get(comp)
    if rules is not None:
        optional.update(rules(n, c, key))
    if (
        city_cap is None
        or income_rate is None
        or asset_rate is None
        or per_capita is None
        or per_household is None
    ):
        return None
    optional["adult_per_capita"] = optional["adult_per_capita"] or 0
    return ComponentRates(
        component=comp,
        income_rate=income_rate,
        asset_rate=asset_rate,
        per_capita=per_capita,
        per_household=per_household,
        cap=city_cap,
        **optional,
    )


def _reduction_values(n: FigureReader) -> dict[str, int | None]:
    """軽減判定 thresholds (国民健康保険法施行令29条の7)."""
    names = (
        "seventy_base",
        "earner_addition",
        "fifty_per_head",
        "twenty_per_head",
        "earner_salary_revenue_over",
        "earner_pension_revenue_over_under_65",
        "earner_pension_revenue_over_65_plus",
        "pension_deduction_65_plus",
    )
    return {name: n.yen(f"statutory_reduction.{name}") for name in names}


def _scalars(n: FigureReader) -> dict[str, Any]:
    return {
        "basic_deduction": n.yen("basic_deduction"),
        "preschool_reduction": n.ratio("preschool.per_capita_reduction"),
        "unemployment_salary_factor": n.ratio("involuntary_unemployment.salary_income_factor"),
        "childbirth_births_from": n.day("childbirth.births_from"),
        "childbirth_months_before": n.yen("childbirth.months_before"),
        "childbirth_months_after": n.yen("childbirth.months_after"),
        "childbirth_multiple_months_before": n.yen("childbirth.multiple_months_before"),
        "former_dependant_per_capita_reduction": n.ratio("former_dependant.per_capita_reduction"),
        "former_dependant_per_household_reduction": n.ratio(
            "former_dependant.per_household_reduction"
        ),
        "former_dependant_months": n.yen("former_dependant.months"),
        "specified_household_months": n.yen("specified_household.months"),
        "specified_continuing_household_months": n.yen("specified_continuing_household.months"),
        "long_term_care_age_from": n.yen("long_term_care.age_from"),
        "long_term_care_age_to": n.yen("long_term_care.age_to"),
        "correction_years": n.yen("correction.years"),
    }


def _bands(n: FigureReader, name: str, with_step: bool) -> tuple[IncomeBand, ...] | None:
    """A revenue table: rows ``[from, "rate", constant]`` (``, step`` for 給与), ascending from
    0."""
    fig = n.figure(name)
    if fig is None:
        return None
    width = 4 if with_step else 3
    rows: list[IncomeBand] = []
    try:
        for row in fig.value:
            if len(row) != width or isinstance(row[1], bool) or not isinstance(row[1], str):
                raise ValueError
            rate = Decimal(row[1])
            step = int(row[3]) if with_step else 1
            if not rate.is_finite() or rate < 0 or rate > 1 or step < 1:
                raise ValueError
            rows.append(IncomeBand(int(row[0]), rate, int(row[2]), step))
    except (ValueError, TypeError, InvalidOperation):
        shape = '[from, "rate", constant, step]' if with_step else '[from, "rate", constant]'
        n.problems.append(f"{name}: must be a list of {shape} rows")
        return None
    if (
        not rows
        or rows[0].from_revenue != 0
        or any(a.from_revenue >= b.from_revenue for a, b in pairwise(rows))
    ):
        n.problems.append(f"{name}: rows must start at 0 and ascend")
        return None
    return tuple(rows)


def _income_conversion(n: FigureReader, fiscal_year: int) -> IncomeConversion | None:
    """収入 → 所得 of the income year before ``fiscal_year`` (ADR 0036)."""
    year = n.yen("income_conversion.income_year")
    salary = _bands(n, "income_conversion.salary", with_step=True)
    under = _bands(n, "income_conversion.pension_under_65", with_step=False)
    senior = _bands(n, "income_conversion.pension_65_plus", with_step=False)
    adjustment = n.yen("income_conversion.salary_pension_adjustment")
    over_fig = n.figure("income_conversion.pension_other_income_over")
    over: list[tuple[int, int]] = []
    if over_fig is not None:
        try:
            over = [(int(a), int(b)) for a, b in over_fig.value]
        except (ValueError, TypeError):
            n.problems.append("income_conversion.pension_other_income_over: [over, amount] rows")
    if year is not None and year != fiscal_year - 1:
        n.problems.append(f"income_conversion.income_year: must be {fiscal_year - 1}")
        return None
    if year is None or salary is None or under is None or senior is None or adjustment is None:
        return None
    return IncomeConversion(year, salary, under, senior, tuple(over), adjustment)


def _special_collection(n: FigureReader) -> SpecialCollectionRules | None:
    """特別徴収 (rules.md 2.6); None when a figure is missing or malformed."""
    sc_minimum = n.yen("special_collection.pension_minimum")
    sc_share = n.ratio("special_collection.share_limit")
    sc_from = n.yen("special_collection.age_from")
    sc_to = n.yen("special_collection.age_to")
    sc_months_fig = n.figure("special_collection.deduction_months")
    sc_months: tuple[int, ...] = ()
    if sc_months_fig is not None:
        value = sc_months_fig.value
        if (
            isinstance(value, list)
            and len(value) == 6
            and all(isinstance(m, int) and 1 <= m <= 12 for m in value)
        ):
            sc_months = tuple(value)
        else:
            n.problems.append("special_collection.deduction_months: must be 6 months 1..12")
    if sc_minimum is None or sc_share is None or sc_from is None or sc_to is None:
        return None
    if not sc_months:
        return None
    return SpecialCollectionRules(
        pension_minimum=sc_minimum,
        share_limit=sc_share,
        age_from=sc_from,
        age_to=sc_to,
        deduction_months=sc_months,
    )


#: the only value ``meta.status`` of a city file may have (absent: the file is in force)
UNCONFIRMED = "unconfirmed"


def _refuse_unconfirmed(
    fiscal_year: int,
    city: str,
    city_document: Mapping[str, Any],
    documents: tuple[str, ...],
    problems: tuple[str, ...],
) -> None:
    """A city file marked ``status = "unconfirmed"`` (its rates are not known) refuses the
    year, naming the file, its reason and every missing figure."""
    meta = city_document.get("meta", {})
    status = meta.get("status")
    if status is None:
        return
    file_name = documents[1] if len(documents) > 1 else f"{city}-{fiscal_year}.toml"
    if status != UNCONFIRMED:
        raise ParametersIncomplete(
            fiscal_year, city, (f'{file_name} meta.status must be "{UNCONFIRMED}" or absent',)
        )
    reason = meta.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        reason = "no reason given"
    prefix = f"{city} "
    missing = tuple(p.removeprefix(prefix).removesuffix(": missing") for p in problems)
    raise ParametersUnconfirmed(fiscal_year, city, file_name, reason, missing)


def parse_parameters(
    fiscal_year: int,
    city: str,
    national: Mapping[str, Any],
    city_document: Mapping[str, Any],
    documents: tuple[str, ...] = (),
) -> PremiumParameters:
    """Build the year's parameters or raise :class:`ParametersIncomplete` naming every gap."""
    n = FigureReader(fiscal_year, "national", national)
    c = FigureReader(fiscal_year, city, city_document)
    meta_problems: list[str] = []
    check_meta(national, "national", fiscal_year, meta_problems)
    check_meta(city_document, city, fiscal_year, meta_problems)
    specified = _specified_rule(n, c)
    rates = [
        r
        for comp in _component_names(n)
        if (r := _component_rates(n, c, comp, specified)) is not None
    ]
    reduction_values = _reduction_values(n)
    scalars = _scalars(n)
    conventions = city_file.conventions(c)
    special_collection = _special_collection(n)
    instalments = city_file.instalments(c)
    income_conversion = _income_conversion(n, fiscal_year)
    city_reductions = city_file.city_reductions(c)
    city_file.checked_units(c, conventions)
    problems = tuple(
        meta_problems + [f"national {p}" for p in n.problems] + [f"{city} {p}" for p in c.problems]
    )
    _refuse_unconfirmed(fiscal_year, city, city_document, documents, problems)
    if problems or None in reduction_values.values() or None in scalars.values():
        raise ParametersIncomplete(fiscal_year, city, problems or ("a figure is missing",))
    if special_collection is None:
        raise ParametersIncomplete(fiscal_year, city, problems or ("special collection",))
    if None in conventions.values() or instalments is None:
        raise ParametersIncomplete(fiscal_year, city, ("a convention is missing",))
    return PremiumParameters(
        fiscal_year=fiscal_year,
        city=city,
        components=tuple(rates),
        reductions=ReductionRules(
            **{k: int(v) for k, v in reduction_values.items() if v is not None}
        ),
        conventions=Conventions(
            rounding_unit=int(conventions["rounding_unit"] or 1),
            rounding_level=str(conventions["rounding_level"]),
            reduced_levy_rounding=str(conventions["reduced_levy_rounding"]),
            prorated_rounding_unit=int(conventions["prorated_rounding_unit"] or 1),
        ),
        instalments=instalments,
        special_collection=special_collection,
        figures={**n.figures, **c.figures},
        documents=documents,
        income_conversion=income_conversion,
        city_reductions=city_reductions,
        **scalars,
    )
