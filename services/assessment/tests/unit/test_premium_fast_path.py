"""The engine's batch path (``explain=False``, ADR 0108) gives every figure of the explaining
path, which keeps the levy lines and applies each reduction as the rules read: the same
``Assessment`` with the lines left out, for varied households (産前産後, 非自発的失業者,
旧被扶養者, 特定世帯, 介護保険適用除外, deemed householders, undeclared income, members joining
and leaving, negative other income) under every rounding convention, with 資産割 and with
the city's own reductions."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from datetime import date, timedelta
from importlib import resources
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kokuho.assessment.domain.calendar import age_on, attains
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.parameters import PremiumParameters, parse_parameters
from kokuho.assessment.domain.premium import Assessment, assess, assess_each


def _doc(name: str) -> dict[str, Any]:
    text = resources.files("kokuho.assessment.parameters").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


CITY_REDUCTIONS = [
    {
        "name": "minors",
        "components": ["medical", "elderly_support"],
        "levy": "per_capita",
        "ratio": "0.3",
        "attribute": "age",
        "age_from": 0,
        "age_to": 18,
        "age_on": "april_1",
    },
    {
        "name": "newborn",
        "components": ["medical", "child_support"],
        "levy": "per_capita",
        "ratio": "1",
        "attribute": "newborn",
    },
    {
        "name": "disability",
        "components": ["medical", "long_term_care"],
        "levy": "income",
        "ratio": "0.25",
        "attribute": "disability",
    },
    {
        "name": "elders",
        "components": ["elderly_support"],
        "levy": "income",
        "ratio": "0.5",
        "attribute": "age",
        "age_from": 65,
        "age_to": 74,
        "age_on": "march_31",
    },
]


def _variants(fiscal_year: int) -> list[PremiumParameters]:
    national = _doc(f"national-{fiscal_year}.toml")
    city = _doc(f"hiroshima-{fiscal_year}.toml")
    reducing = copy.deepcopy(city)
    reducing["figures"]["city_reductions"]["value"] = CITY_REDUCTIONS
    base = parse_parameters(fiscal_year, "hiroshima", national, city)
    reduced = parse_parameters(fiscal_year, "hiroshima", national, reducing)
    conventions = base.conventions
    with_assets = tuple(
        dataclasses.replace(c, asset_rate=c.income_rate / 3) for c in base.components
    )
    return [
        base,
        reduced,
        dataclasses.replace(
            reduced,
            components=with_assets,
            conventions=dataclasses.replace(
                conventions, rounding_level="total", reduced_levy_rounding="household"
            ),
        ),
        dataclasses.replace(
            base,
            conventions=dataclasses.replace(
                conventions, rounding_unit=1, prorated_rounding_unit=10
            ),
        ),
    ]


PARAMS = {fy: _variants(fy) for fy in (2025, 2026)}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

incomes = st.builds(
    Income,
    declared=st.sampled_from([True, True, True, False]),
    salary_revenue=st.sampled_from([0, 550_000, 550_001]) | st.integers(0, 20_000_000),
    salary_income=st.integers(0, 15_000_000),
    pension_revenue=st.sampled_from([0, 600_000, 1_250_001]) | st.integers(0, 5_000_000),
    pension_income=st.integers(0, 4_000_000),
    other_income=st.integers(-2_000_000, 30_000_000),
    family_employee_deduction=st.integers(0, 900_000),
    transfer_special_deduction=st.integers(0, 2_000_000),
    fixed_asset_tax=st.integers(0, 400_000),
)


def _day(fy: int, draw: st.DrawFn, before: int = 0, span: int = 365) -> date:
    return date(fy, 4, 1) + timedelta(days=draw(st.integers(-before, span - 1)))


@st.composite
def people(draw: st.DrawFn, fy: int, i: int) -> Person:
    birth = draw(st.dates(date(fy - 80, 1, 1), date(fy, 3, 31)))
    optional = st.booleans().map(lambda x: x and draw(st.integers(0, 3)) == 0)
    insured = draw(st.integers(0, 9)) > 0 or i == 0
    acquisition = _day(fy, draw, 400) if draw(optional) else None
    loss = _day(fy, draw, 200) if draw(optional) or not insured else None
    exclusions: tuple[tuple[date, date | None], ...] = ()
    if draw(optional):
        start = _day(fy, draw, 500)
        exclusions = ((start, None if draw(st.booleans()) else start + timedelta(days=90)),)
    return Person(
        f"{i + 1:010d}",
        birth,
        draw(incomes),
        insured=insured,
        acquisition_date=acquisition,
        loss_date=loss,
        specified_same_household=not insured,
        former_dependant_since=_day(fy, draw, 800) if draw(optional) else None,
        childbirth=Childbirth(_day(fy, draw, 300), draw(st.booleans())) if draw(optional) else None,
        involuntary_separation_date=_day(fy, draw, 700) if draw(optional) else None,
        care_exclusions=exclusions,
        attributes=frozenset({"disability"}) if draw(optional) else frozenset(),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Household, PremiumParameters]:
    fy = draw(st.sampled_from([2025, 2026]))
    members = tuple(draw(people(fy, i)) for i in range(draw(st.integers(1, 5))))
    householder = members[0].addressee_number
    if draw(st.integers(0, 5)) == 0:  # 擬制世帯主
        deemed = Person("0000000099", date(fy - 60, 6, 1), draw(incomes), insured=False)
        members, householder = (*members, deemed), deemed.addressee_number
    since = _day(fy, draw, 3000) if draw(st.integers(0, 4)) == 0 else None
    household = Household("9000000001", householder, members, since)
    return household, draw(st.sampled_from(PARAMS[fy]))


def _without_lines(a: Assessment) -> Assessment:
    return dataclasses.replace(
        a,
        components=tuple(
            c._replace(segments=tuple(s._replace(lines=()) for s in c.segments))
            for c in a.components
        ),
    )


def _assessed(household: Household, params: PremiumParameters, explain: bool) -> object:
    try:
        return assess(household, params, explain)
    except AssessmentError as refused:  # refused the same way by both paths
        return (type(refused), str(refused))


@SETTINGS
@given(cases())
def test_the_batch_path_gives_every_figure_of_the_explaining_path(
    case: tuple[Household, PremiumParameters],
) -> None:
    household, params = case
    explained = _assessed(household, params, True)
    batch = _assessed(household, params, False)
    if isinstance(explained, Assessment):
        assert any(s.lines for c in explained.components for s in c.segments)
        explained = _without_lines(explained)
        assert isinstance(batch, Assessment)
        assert not any(s.lines for c in batch.components for s in c.segments)
    assert batch == explained


@SETTINGS
@given(cases())
def test_a_rate_simulation_gives_what_each_set_alone_gives(
    case: tuple[Household, PremiumParameters],
) -> None:
    household, params = case
    sets = PARAMS[params.fiscal_year]
    try:
        each = assess_each(household, sets)
    except AssessmentError:
        return
    assert each == [_without_lines(assess(household, p, True)) for p in sets]


@settings(max_examples=2000, deadline=None)
@given(st.dates(date(1896, 1, 1), date(2030, 12, 31)), st.integers(-400, 110 * 366))
def test_the_legal_age_is_the_last_age_attained(birth: date, days: int) -> None:
    """``age_on`` (arithmetic since ADR 0108) against the definition: the ages attained on
    the day before each birthday (29 February births included), counted up to ``day``."""
    day = birth + timedelta(days=days)
    if day < birth:
        return  # before birth nobody asks; the loop's old answer stays there
    age = 0
    while attains(birth, age + 1) <= day:
        age += 1
    assert age_on(birth, day) == age
