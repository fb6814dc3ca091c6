"""Premium parameters of one fiscal year: the national figures (caps, reduction thresholds) and
the city's rates and conventions, each figure with its source and confidence mark.

Parsed from two documents (the national and the city parameter file, see
``kokuho/assessment/parameters/*.toml``). Every leaf figure is a table
``{value = ..., mark = "confirmed"|"secondary"|"unconfirmed", source = "...",
configuration = true|false}``; an ``unconfirmed`` figure must say ``configuration = true`` (it
is the city's setting until the official figure is known). A figure that is missing, malformed
or of the wrong kind makes the whole year refuse to run (:class:`ParametersIncomplete`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from kokuho.assessment.domain.errors import ParametersIncomplete

MARKS = {"confirmed": "✅", "secondary": "◐", "unconfirmed": "❌"}


class Component(StrEnum):
    """The components of the NHI premium, each assessed and capped separately."""

    MEDICAL = "medical"  # 基礎賦課額 (医療分)
    ELDERLY_SUPPORT = "elderly_support"  # 後期高齢者支援金等賦課額 (支援分)
    LONG_TERM_CARE = "long_term_care"  # 介護納付金賦課額 (介護分), members aged 40–64
    CHILD_SUPPORT = "child_support"  # 子ども・子育て支援納付金賦課額 (子ども分), from FY2026


@dataclass(frozen=True)
class Figure:
    value: Any
    mark: str
    source: str
    configuration: bool


@dataclass(frozen=True)
class ComponentRates:
    component: Component
    income_rate: Decimal  # 所得割率
    asset_rate: Decimal  # 資産割率 (0 where the city does not use 資産割)
    per_capita: int  # 均等割額
    per_household: int  # 平等割額
    cap: int  # the city's 賦課限度額 (never above the statutory cap)
    adult_per_capita: int = 0  # 18歳以上均等割 (子ども分 only)
    specified_per_household: int | None = None  # 平等割 of a 特定世帯
    specified_continuing_per_household: int | None = None  # 平等割 of a 特定継続世帯
    statutory_reductions_apply: bool = True  # 7/5/2割 on 均等割/平等割
    childbirth_exemption_applies: bool = True  # 産前産後 on 所得割/均等割
    under_18_per_capita_exempt: bool = False  # 子ども分: 10割 reduction under 18


@dataclass(frozen=True)
class ReductionRules:
    """軽減判定 (国民健康保険法施行令29条の7)."""

    seventy_base: int  # 43万
    earner_addition: int  # 10万 × (給与所得者等の数 − 1)
    fifty_per_head: int
    twenty_per_head: int
    earner_salary_revenue_over: int  # 給与収入 > 55万
    earner_pension_revenue_over_under_65: int  # 公的年金等収入 > 60万
    earner_pension_revenue_over_65_plus: int  # > 125万
    pension_deduction_65_plus: int  # 15万 off 年金所得 for the test only


@dataclass(frozen=True)
class Conventions:
    """Calculation conventions that differ by city (rules.md 5b)."""

    rounding_unit: int  # e.g. 100: cut to the 100円 below
    rounding_level: str  # "component": per component before the cap; "total": the sum
    reduced_levy_rounding: str  # "per_member": floor each reduced amount; "household": the sum
    prorated_rounding_unit: int  # unit a prorated (月割) component is cut to


@dataclass(frozen=True)
class InstalmentCalendar:
    """普通徴収 instalments (納期)."""

    periods: int  # 10 in Hiroshima
    first_month: int  # 6 = June
    closed_days: frozenset[tuple[int, int]]  # (month, day) the city office is closed
    amount_unit: int  # instalments in multiples of this, the remainder in the first


@dataclass(frozen=True)
class SpecialCollectionRules:
    """特別徴収 (pension deduction) conditions and months (rules.md 2.6)."""

    pension_minimum: int  # 18万円
    share_limit: Decimal  # 国保料 + 介護保険料 ≤ 1/2 of the pension
    age_from: int  # every member 65..
    age_to: int  # ..74; the householder does not turn 75 in the year
    deduction_months: tuple[int, ...]  # 4, 6, 8 (仮徴収), 10, 12, 2 (本徴収)


@dataclass(frozen=True)
class PremiumParameters:
    fiscal_year: int
    city: str
    basic_deduction: int  # 基礎控除 for 旧ただし書き所得
    components: tuple[ComponentRates, ...]
    reductions: ReductionRules
    preschool_reduction: Decimal  # 未就学児 均等割 reduction after the 7/5/2割
    unemployment_salary_factor: Decimal  # 非自発的失業者: 給与所得 × 30/100
    childbirth_births_from: date
    childbirth_months_before: int
    childbirth_months_after: int
    childbirth_multiple_months_before: int
    former_dependant_per_capita_reduction: Decimal
    former_dependant_per_household_reduction: Decimal
    former_dependant_months: int
    specified_household_months: int
    specified_continuing_household_months: int
    long_term_care_age_from: int
    long_term_care_age_to: int
    correction_years: int  # how far back a premium may be corrected (国保法110条)
    conventions: Conventions
    instalments: InstalmentCalendar
    special_collection: SpecialCollectionRules
    figures: Mapping[str, Figure]  # every figure used, by dotted name, for citing
    documents: tuple[str, ...]  # the parameter files the year was built from
    digest: str = ""  # sha256 of the files' text, to tell whether they changed since

    def rates(self, component: Component) -> ComponentRates | None:
        for c in self.components:
            if c.component is component:
                return c
        return None


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted names of the leaves of a parameter document; a figure table is a leaf."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and "value" not in value:
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


class _Reader:
    def __init__(self, fiscal_year: int, scope: str, document: Mapping[str, Any]) -> None:
        self.fiscal_year = fiscal_year
        self.scope = scope
        self.leaves = flatten(document.get("figures", {}))
        self.problems: list[str] = []
        self.figures: dict[str, Figure] = {}

    def figure(self, name: str, *, optional: bool = False) -> Figure | None:
        raw = self.leaves.get(name)
        if raw is None:
            if not optional:
                self.problems.append(f"{name}: missing")
            return None
        if not isinstance(raw, Mapping):
            self.problems.append(f"{name}: not a figure table")
            return None
        mark = raw.get("mark")
        source = raw.get("source")
        configuration = raw.get("configuration", False)
        if mark not in MARKS:
            self.problems.append(f"{name}: mark must be one of {sorted(MARKS)}")
            return None
        if not isinstance(source, str) or not source.strip():
            self.problems.append(f"{name}: source missing")
            return None
        if not isinstance(configuration, bool):
            self.problems.append(f"{name}: configuration must be true or false")
            return None
        if mark == "unconfirmed" and not configuration:
            self.problems.append(f"{name}: an unconfirmed figure must be marked configuration")
            return None
        fig = Figure(raw["value"], mark, source, configuration)
        self.figures[f"{self.scope}.{name}"] = fig
        return fig

    def yen(self, name: str, *, optional: bool = False) -> int | None:
        fig = self.figure(name, optional=optional)
        if fig is None:
            return None
        if not isinstance(fig.value, int) or isinstance(fig.value, bool) or fig.value < 0:
            self.problems.append(f"{name}: must be a non-negative integer")
            return None
        return int(fig.value)

    def ratio(self, name: str) -> Decimal | None:
        fig = self.figure(name)
        if fig is None:
            return None
        # ratios are strings in the files so that no binary float ever holds a rate
        if not isinstance(fig.value, str):
            self.problems.append(f'{name}: must be a decimal string such as "0.0830"')
            return None
        try:
            value = Decimal(fig.value)
        except InvalidOperation:
            self.problems.append(f"{name}: {fig.value!r} is not a decimal")
            return None
        if not value.is_finite() or value < 0 or value > 1:
            self.problems.append(f"{name}: must lie between 0 and 1")
            return None
        return value

    def flag(self, name: str) -> bool | None:
        fig = self.figure(name)
        if fig is None:
            return None
        if not isinstance(fig.value, bool):
            self.problems.append(f"{name}: must be true or false")
            return None
        return fig.value

    def choice(self, name: str, choices: set[str]) -> str | None:
        fig = self.figure(name)
        if fig is None:
            return None
        if fig.value not in choices:
            self.problems.append(f"{name}: must be one of {sorted(choices)}")
            return None
        return str(fig.value)

    def day(self, name: str) -> date | None:
        fig = self.figure(name)
        if fig is None:
            return None
        if not isinstance(fig.value, date):
            self.problems.append(f"{name}: must be a date")
            return None
        return fig.value


def _check_meta(
    document: Mapping[str, Any], scope: str, fiscal_year: int, problems: list[str]
) -> None:
    meta = document.get("meta", {})
    if meta.get("fiscal_year") != fiscal_year:
        problems.append(f"{scope} meta.fiscal_year is not {fiscal_year}")


def parse_parameters(
    fiscal_year: int,
    city: str,
    national: Mapping[str, Any],
    city_document: Mapping[str, Any],
    documents: tuple[str, ...] = (),
) -> PremiumParameters:
    """Build the year's parameters or raise :class:`ParametersIncomplete` naming every gap."""
    n = _Reader(fiscal_year, "national", national)
    c = _Reader(fiscal_year, city, city_document)
    meta_problems: list[str] = []
    _check_meta(national, "national", fiscal_year, meta_problems)
    _check_meta(city_document, city, fiscal_year, meta_problems)

    component_fig = n.figure("components")
    names: list[Component] = []
    if component_fig is not None:
        try:
            names = [Component(v) for v in component_fig.value]
        except (ValueError, TypeError):
            n.problems.append("components: unknown component")
    rates: list[ComponentRates] = []
    for comp in names:
        key = comp.value
        statutory_cap = n.yen(f"caps.{key}")
        city_cap = c.yen(f"components.{key}.cap")
        if statutory_cap is not None and city_cap is not None and city_cap > statutory_cap:
            c.problems.append(
                f"components.{key}.cap: {city_cap} is above the statutory cap {statutory_cap}"
            )
        income_rate = c.ratio(f"components.{key}.income_rate")
        asset_rate = c.ratio(f"components.{key}.asset_rate")
        per_capita = c.yen(f"components.{key}.per_capita")
        per_household = c.yen(f"components.{key}.per_household")
        adult = c.yen(f"components.{key}.adult_per_capita", optional=True)
        specified = c.yen(f"components.{key}.specified_per_household", optional=True)
        continuing = c.yen(f"components.{key}.specified_continuing_per_household", optional=True)
        reductions_apply = True
        childbirth_applies = True
        under_18 = False
        if comp is Component.CHILD_SUPPORT:
            adult = c.yen(f"components.{key}.adult_per_capita")
            reductions_apply = bool(c.flag("conventions.child_support_statutory_reductions"))
            childbirth_applies = bool(c.flag("conventions.child_support_childbirth_exemption"))
            under_18 = bool(n.flag("child_support.under_18_per_capita_exempt"))
        if None in (city_cap, income_rate, asset_rate, per_capita, per_household):
            continue
        assert city_cap is not None
        assert income_rate is not None
        assert asset_rate is not None
        assert per_capita is not None
        assert per_household is not None
        rates.append(
            ComponentRates(
                component=comp,
                income_rate=income_rate,
                asset_rate=asset_rate,
                per_capita=per_capita,
                per_household=per_household,
                cap=city_cap,
                adult_per_capita=adult or 0,
                specified_per_household=specified,
                specified_continuing_per_household=continuing,
                statutory_reductions_apply=reductions_apply,
                childbirth_exemption_applies=childbirth_applies,
                under_18_per_capita_exempt=under_18,
            )
        )
    sr = "statutory_reduction"
    reduction_values = {
        "seventy_base": n.yen(f"{sr}.seventy_base"),
        "earner_addition": n.yen(f"{sr}.earner_addition"),
        "fifty_per_head": n.yen(f"{sr}.fifty_per_head"),
        "twenty_per_head": n.yen(f"{sr}.twenty_per_head"),
        "earner_salary_revenue_over": n.yen(f"{sr}.earner_salary_revenue_over"),
        "earner_pension_revenue_over_under_65": n.yen(f"{sr}.earner_pension_revenue_over_under_65"),
        "earner_pension_revenue_over_65_plus": n.yen(f"{sr}.earner_pension_revenue_over_65_plus"),
        "pension_deduction_65_plus": n.yen(f"{sr}.pension_deduction_65_plus"),
    }
    scalars: dict[str, Any] = {
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
    conventions = {
        "rounding_unit": c.yen("conventions.rounding_unit"),
        "rounding_level": c.choice("conventions.rounding_level", {"component", "total"}),
        "reduced_levy_rounding": c.choice(
            "conventions.reduced_levy_rounding", {"per_member", "household"}
        ),
        "prorated_rounding_unit": c.yen("conventions.prorated_rounding_unit"),
    }
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
    periods = c.yen("instalments.periods")
    first_month = c.yen("instalments.first_month")
    amount_unit = c.yen("instalments.amount_unit")
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
    if periods is not None and not 1 <= periods <= 12:
        c.problems.append("instalments.periods: must lie in 1..12")
    if first_month is not None and not 1 <= first_month <= 12:
        c.problems.append("instalments.first_month: must be a month 1..12")
    if amount_unit == 0:
        c.problems.append("instalments.amount_unit: must be at least 1")
    for unit_name in ("rounding_unit", "prorated_rounding_unit"):
        if conventions[unit_name] == 0:
            c.problems.append(f"conventions.{unit_name}: must be at least 1")
            conventions[unit_name] = None
    problems = tuple(
        meta_problems + [f"national {p}" for p in n.problems] + [f"{city} {p}" for p in c.problems]
    )
    if problems or None in reduction_values.values() or None in scalars.values():
        raise ParametersIncomplete(fiscal_year, city, problems or ("a figure is missing",))
    if None in (sc_minimum, sc_share, sc_from, sc_to) or not sc_months:
        raise ParametersIncomplete(fiscal_year, city, problems or ("special collection",))
    if None in conventions.values() or None in (periods, first_month, amount_unit):
        raise ParametersIncomplete(fiscal_year, city, ("a convention is missing",))
    rv = {k: int(v) for k, v in reduction_values.items() if v is not None}
    return PremiumParameters(
        fiscal_year=fiscal_year,
        city=city,
        components=tuple(rates),
        reductions=ReductionRules(**rv),
        conventions=Conventions(
            rounding_unit=int(conventions["rounding_unit"] or 1),
            rounding_level=str(conventions["rounding_level"]),
            reduced_levy_rounding=str(conventions["reduced_levy_rounding"]),
            prorated_rounding_unit=int(conventions["prorated_rounding_unit"] or 1),
        ),
        instalments=InstalmentCalendar(
            periods=int(periods or 1),
            first_month=int(first_month or 4),
            closed_days=frozenset(closed),
            amount_unit=int(amount_unit or 1),
        ),
        special_collection=SpecialCollectionRules(
            pension_minimum=int(sc_minimum or 0),
            share_limit=sc_share or Decimal(0),
            age_from=int(sc_from or 0),
            age_to=int(sc_to or 0),
            deduction_months=sc_months,
        ),
        figures={**n.figures, **c.figures},
        documents=documents,
        **scalars,
    )
