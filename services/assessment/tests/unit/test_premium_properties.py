"""Hypothesis properties of the premium engine: never negative, never above a cap, monotone in
income, reductions never raise a premium, a full year's proration is the annual amount."""

from __future__ import annotations

import dataclasses
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kokuho.assessment.domain.calendar import age_on
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.premium import assess
from kokuho.assessment.parameters import load_parameters

PARAMS = {2025: load_parameters(2025), 2026: load_parameters(2026)}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

incomes = st.builds(
    Income,
    declared=st.booleans(),
    salary_revenue=st.integers(0, 30_000_000),
    salary_income=st.integers(0, 25_000_000),
    pension_revenue=st.integers(0, 5_000_000),
    pension_income=st.integers(0, 4_000_000),
    other_income=st.integers(0, 30_000_000),
)
births = st.dates(date(1951, 4, 2), date(2025, 3, 31))
in_year = st.integers(0, 364)


@st.composite
def households(draw: st.DrawFn) -> tuple[int, Household]:
    fy = draw(st.sampled_from([2025, 2026]))
    n = draw(st.integers(1, 4))
    people = []
    for i in range(n):
        acquisition = None
        loss = None
        if draw(st.booleans()):
            acquisition = date(fy, 4, 1).fromordinal(date(fy, 4, 1).toordinal() + draw(in_year))
        if draw(st.integers(0, 4)) == 0:
            base = acquisition or date(fy, 4, 1)
            loss = base.fromordinal(base.toordinal() + 1 + draw(in_year))
        people.append(
            Person(
                f"{i + 1:010d}",
                draw(births),
                draw(incomes),
                acquisition_date=acquisition,
                loss_date=loss,
            )
        )
    # the householder is insured all year, so every drawn household has an insured month
    people[0] = dataclasses.replace(people[0], acquisition_date=None, loss_date=None)
    return fy, Household("9000000001", "0000000001", tuple(people))


def total(fy: int, h: Household) -> int:
    return assess(h, PARAMS[fy]).total


@SETTINGS
@given(households())
def test_never_negative_and_never_above_the_caps(case: tuple[int, Household]) -> None:
    fy, h = case
    a = assess(h, PARAMS[fy])
    assert a.total >= 0
    for c in a.components:
        rates = PARAMS[fy].rates(c.component)
        assert rates is not None
        assert 0 <= c.amount <= rates.cap
        for seg in c.segments:
            assert 0 <= seg.annual <= rates.cap


@SETTINGS
@given(households(), st.integers(0, 3), st.integers(1, 5_000_000))
def test_monotone_in_income(case: tuple[int, Household], who: int, more: int) -> None:
    fy, h = case
    people = list(h.people)
    i = who % len(people)
    richer = dataclasses.replace(
        people[i],
        income=dataclasses.replace(
            people[i].income, other_income=people[i].income.other_income + more
        ),
    )
    people[i] = richer
    assert total(fy, dataclasses.replace(h, people=tuple(people))) >= total(fy, h)


@SETTINGS
@given(
    households(),
    st.integers(0, 3),
    st.sampled_from(["unemployed", "childbirth", "former", "specified"]),
    st.dates(date(2023, 11, 1), date(2027, 3, 31)),
)
def test_reductions_never_raise_the_premium(
    case: tuple[int, Household], who: int, kind: str, day: date
) -> None:
    fy, h = case
    people = list(h.people)
    i = who % len(people)
    target = people[i]
    if kind == "unemployed":
        if age_on(target.birth_date, day) >= 65:
            return  # 65+ at separation is refused (tested elsewhere), not reduced
        people[i] = dataclasses.replace(target, involuntary_separation_date=day)
        reduced = dataclasses.replace(h, people=tuple(people))
    elif kind == "childbirth":
        people[i] = dataclasses.replace(target, childbirth=Childbirth(day))
        reduced = dataclasses.replace(h, people=tuple(people))
    elif kind == "former":
        people[i] = dataclasses.replace(target, former_dependant_since=day)
        reduced = dataclasses.replace(h, people=tuple(people))
    else:
        reduced = dataclasses.replace(h, specified_household_since=day)
    assert total(fy, reduced) <= total(fy, h)


@SETTINGS
@given(households())
def test_declared_income_never_costs_more_than_undeclared(case: tuple[int, Household]) -> None:
    fy, h = case
    undeclared = tuple(
        dataclasses.replace(p, income=dataclasses.replace(p.income, declared=False))
        for p in h.people
    )
    declared = tuple(
        dataclasses.replace(p, income=dataclasses.replace(p.income, declared=True))
        for p in h.people
    )
    assert total(fy, dataclasses.replace(h, people=declared)) <= total(
        fy, dataclasses.replace(h, people=undeclared)
    )


@SETTINGS
@given(st.sampled_from([2025, 2026]), births, incomes)
def test_full_year_proration_equals_the_annual_amount(fy: int, birth: date, income: Income) -> None:
    before = Person("0000000001", birth, income)
    from_april = dataclasses.replace(before, acquisition_date=date(fy, 4, 1))
    a = assess(Household("9000000001", "0000000001", (before,)), PARAMS[fy])
    b = assess(Household("9000000001", "0000000001", (from_april,)), PARAMS[fy])
    assert a.total == b.total
    for c in a.components:
        if c.months == 12 and len(c.segments) == 1:
            assert c.amount == c.segments[0].annual


@SETTINGS
@given(
    st.sampled_from([2025, 2026]),
    st.dates(date(1970, 1, 1), date(1980, 1, 1)),
    incomes,
    st.integers(1, 11),
)
def test_a_part_year_never_costs_more_than_the_full_year(
    fy: int, birth: date, income: Income, month: int
) -> None:
    full = Person("0000000001", birth, income)
    first = date(fy + (month + 3) // 12, (month + 3) % 12 + 1, 1)
    part = dataclasses.replace(full, acquisition_date=first)
    a = assess(Household("9000000001", "0000000001", (full,)), PARAMS[fy])
    b = assess(Household("9000000001", "0000000001", (part,)), PARAMS[fy])
    assert b.total <= a.total
