"""Premium months and monthly proration (月割, rules.md 5.1, [Q03]).

Premium months run from the month containing acquisition to the month before the month
containing the loss. Each month of the fiscal year gets a *state*: who is insured, who is
liable for 介護分 (from the month of attaining 40 to the month before attaining 65, except
the months in a facility excluded from long-term-care insurance, 介護保険適用除外), whose
産前産後 exemption or 非自発的失業者 treatment runs, whether the household is a
特定世帯/特定継続世帯, whose 旧被扶養者 halving runs. States change only at a person's
boundaries, so months with the same state are computed once (a segment), and a component is
Σ(segment annual × segment months) ÷ 12.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from kokuho.assessment.domain.calendar import (
    attains,
    fiscal_months,
    fiscal_year_of,
    month_index,
    until_fiscal_year_end_after,
)
from kokuho.assessment.domain.household import Household, Person
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.premium.explanation import Segment
from kokuho.assessment.domain.premium.rounding import floor_to

NEVER = 10**6  # a month offset beyond any fiscal year
MONTHS = 12  # in a fiscal year, April to March

_fiscal_firsts = lru_cache(maxsize=32)(fiscal_months)


def insured_on(person: Person, day: date) -> bool:
    """Insured on ``day``: acquired on or before it and not lost on or before it."""
    if not person.insured:
        return False
    if person.acquisition_date is not None and person.acquisition_date > day:
        return False
    return person.loss_date is None or person.loss_date > day


class MonthState(NamedTuple):
    """Who is what in one month; equal states share a segment (a tuple: hashed as a dict key
    and built for every cut of every household, where a frozen dataclass cost ~1.5 µs)."""

    insured: tuple[str, ...]
    long_term_care: tuple[str, ...]
    childbirth_exempt: tuple[str, ...]
    unemployed: tuple[str, ...]
    former_dependant: tuple[str, ...]
    former_dependant_halved: tuple[str, ...]
    specified: str | None  # "specified_household" | "specified_continuing_household"


class Timeline(NamedTuple):
    """One person's facts as month offsets from April of the fiscal year (0..11), computed once
    per assessment so that each month's state is a handful of integer comparisons (a tuple:
    a frozen dataclass of 13 fields cost ~3 µs to build, NamedTuple ~0.6)."""

    addressee_number: str
    insured_from: int  # first premium month
    insured_to: int  # first month no longer insured (the month containing the loss)
    long_term_care_from: int  # the month of attaining 40
    long_term_care_to: int  # the month of attaining 65
    childbirth_from: int
    childbirth_to: int  # exclusive
    unemployed_from: int
    former_from: int
    former_halved_to: int  # exclusive
    minor: bool  # 子ども分: under 18 up to the 31 March after attaining 18
    preschool: bool  # 未就学児
    care_excluded: tuple[tuple[int, int], ...] = ()  # 介護保険適用除外: [from, to) months

    def long_term_care_in(self, m: int) -> bool:
        """Liable for 介護分 in month ``m`` (by age, and not in an excluded facility)."""
        if not self.long_term_care_from <= m < self.long_term_care_to:
            return False
        return not self.care_excluded or not any(
            start <= m < end for start, end in self.care_excluded
        )

    def bounds(self) -> tuple[int, ...]:
        return (
            *(b for period in self.care_excluded for b in period),
            self.insured_from,
            self.insured_to,
            self.long_term_care_from,
            self.long_term_care_to,
            self.childbirth_from,
            self.childbirth_to,
            self.unemployed_from,
            self.former_from,
            self.former_halved_to,
        )


def _offset(day: date, april: int) -> int:
    return month_index(day) - april


@lru_cache(maxsize=32)
def _april(fiscal_year: int) -> int:
    return month_index(date(fiscal_year, 4, 1))


def _insured_months(person: Person, april: int) -> tuple[int, int]:
    if not person.insured:
        return NEVER, NEVER
    acquired = person.acquisition_date
    insured_from = -NEVER if acquired is None else _offset(acquired, april)
    insured_to = NEVER if person.loss_date is None else _offset(person.loss_date, april)
    return insured_from, insured_to


def _childbirth_months(person: Person, params: PremiumParameters, april: int) -> tuple[int, int]:
    """産前産後: from some months before the month of the (expected) birth, more for a multiple
    birth, to some months after it (parameters ``childbirth.*``); births from a set date on."""
    birth = person.childbirth
    if birth is None or birth.date < params.childbirth_births_from:
        return NEVER, NEVER
    before = (
        params.childbirth_multiple_months_before
        if birth.multiple
        else params.childbirth_months_before
    )
    at = _offset(birth.date, april)
    return at - before, at + params.childbirth_months_after + 1


def _unemployed_from(person: Person, fiscal_year: int, april: int) -> int:
    """非自発的失業者: from the month of the day after 離職 to the end of the following fiscal
    year."""
    if person.involuntary_separation_date is None:
        return NEVER
    start = person.involuntary_separation_date + timedelta(days=1)
    if fiscal_year <= fiscal_year_of(start) + 1:
        return _offset(start, april)
    return NEVER


@lru_cache(maxsize=1 << 16)
def _ages(
    birth: date, fiscal_year: int, care_from: int, care_to: int
) -> tuple[int, int, bool, bool]:
    """The months of attaining the 介護分 ages, 子ども分 and 未就学児 for a birth date (cached:
    birth dates repeat across a city's households)."""
    april = _april(fiscal_year)
    return (
        _offset(attains(birth, care_from), april),
        _offset(attains(birth, care_to), april),
        until_fiscal_year_end_after(birth, 18, fiscal_year),
        until_fiscal_year_end_after(birth, 6, fiscal_year),
    )


def timeline(person: Person, params: PremiumParameters) -> Timeline:
    fy = params.fiscal_year
    april = _april(fy)
    insured_from, insured_to = _insured_months(person, april)
    childbirth_from, childbirth_to = _childbirth_months(person, params, april)
    former_from = former_halved_to = NEVER
    if person.former_dependant_since is not None:
        former_from = _offset(person.former_dependant_since, april)
        former_halved_to = former_from + params.former_dependant_months
    ltc_from, ltc_to, minor, preschool = _ages(
        person.birth_date, fy, params.long_term_care_age_from, params.long_term_care_age_to
    )
    excluded = person.care_exclusions
    return Timeline(  # positional: the fields in order
        person.addressee_number,
        insured_from,
        insured_to,
        ltc_from,
        ltc_to,
        childbirth_from,
        childbirth_to,
        _unemployed_from(person, fy, april),
        former_from,
        former_halved_to,
        minor,
        preschool,
        tuple(
            (_offset(start, april), NEVER if end is None else _offset(end, april))
            for start, end in excluded
        )
        if excluded
        else (),
    )


def _specified(params: PremiumParameters, m: int, insured: int, specified_from: int) -> str | None:
    """特定世帯 (5 years) then 特定継続世帯 (3 more) after a member moved to 後期高齢者医療,
    while a single member stays insured."""
    if insured != 1 or specified_from > m:
        return None
    elapsed = m - specified_from
    if elapsed < params.specified_household_months:
        return "specified_household"
    if elapsed < params.specified_continuing_household_months:
        return "specified_continuing_household"
    return None


def month_state(
    params: PremiumParameters,
    m: int,
    timelines: tuple[Timeline, ...],
    specified_from: int,
) -> MonthState:
    insured = [t for t in timelines if t.insured_from <= m < t.insured_to]
    former = [t for t in insured if t.former_from <= m]
    return MonthState(
        insured=tuple(t.addressee_number for t in insured),
        long_term_care=tuple(t.addressee_number for t in insured if t.long_term_care_in(m)),
        childbirth_exempt=tuple(
            t.addressee_number for t in insured if t.childbirth_from <= m < t.childbirth_to
        ),
        # the deemed householder's and 特定同一世帯所属者' salary counts in the test too
        unemployed=tuple(t.addressee_number for t in timelines if t.unemployed_from <= m),
        former_dependant=tuple(t.addressee_number for t in former),
        former_dependant_halved=tuple(t.addressee_number for t in former if m < t.former_halved_to),
        specified=_specified(params, m, len(insured), specified_from),
    )


@dataclass(frozen=True)
class YearStates:
    """The insured months of the year grouped by state, and each person's timeline."""

    groups: dict[MonthState, tuple[date, ...]]
    timelines: dict[str, Timeline]
    people: dict[str, Person]  # by addressee number, for the levies of every segment

    @property
    def insured_months(self) -> int:
        return sum(len(months) for months in self.groups.values())


def year_states(household: Household, params: PremiumParameters) -> YearStates:
    """Cut the fiscal year where any state changes and give each piece its state; months
    without an insured member are left out."""
    timelines = tuple(timeline(p, params) for p in household.people)
    since = household.specified_household_since
    specified_from = NEVER if since is None else _offset(since, _april(params.fiscal_year))
    cuts = {0, MONTHS}
    for t in timelines:
        cuts.update(b for b in t.bounds() if 0 < b < MONTHS)
    if since is not None:
        for b in (
            specified_from,
            specified_from + params.specified_household_months,
            specified_from + params.specified_continuing_household_months,
        ):
            if 0 < b < MONTHS:
                cuts.add(b)
    firsts = _fiscal_firsts(params.fiscal_year)
    groups: dict[MonthState, list[date]] = {}
    for start, stop in pairwise(sorted(cuts)):
        state = month_state(params, start, timelines, specified_from)
        if state.insured:
            groups.setdefault(state, []).extend(firsts[start:stop])
    return YearStates(
        {state: tuple(months) for state, months in groups.items()},
        {t.addressee_number: t for t in timelines},
        {p.addressee_number: p for p in household.people},
    )


def prorate(segments: list[Segment], unit: int) -> tuple[int, int]:
    """月割: (months, amount) of a component, amount = Σ(annual × months) ÷ 12 cut to the
    city's prorated unit; one state all year gives exactly the annual amount."""
    weighted = sum(s.annual * len(s.months) for s in segments)
    months = sum(len(s.months) for s in segments)
    amount = floor_to(Decimal(weighted) / MONTHS, unit)
    if months == MONTHS and len(segments) == 1:
        amount = segments[0].annual
    return months, amount


def prorated_yen(segments: list[Segment], figure: Callable[[Segment], int]) -> int:
    """A segment figure for the year (an annual amount per segment) prorated like the
    component: Σ(figure × months) ÷ 12 cut to the yen; one state all year gives the figure."""
    if len(segments) == 1 and len(segments[0].months) == MONTHS:
        return figure(segments[0])
    return floor_to(Decimal(sum(figure(s) * len(s.months) for s in segments)) / MONTHS)
