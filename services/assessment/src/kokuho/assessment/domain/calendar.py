"""Fiscal-year months and legal ages (年齢計算ニ関スル法律: an age is attained on the day
before the birthday)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

_ONE_DAY = timedelta(days=1)


def fiscal_year_of(day: date) -> int:
    """The Japanese fiscal year (April to March) that contains ``day``."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_months(fiscal_year: int) -> tuple[date, ...]:
    """The first day of each of the 12 months of the fiscal year, April first."""
    return tuple(date(fiscal_year + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(12))


def month_end(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def month_index(day: date) -> int:
    """A running month number, so that month differences are a subtraction."""
    return day.year * 12 + day.month - 1


def birthday(birth_date: date, age: int) -> date:
    year = birth_date.year + age
    if birth_date.month == 2 and birth_date.day == 29:
        # a 29 February birthday falls on 1 March in common years (民法143条 reckoning)
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 3, 1)
    return birth_date.replace(year=year)


@lru_cache(maxsize=1 << 16)
def attains(birth_date: date, age: int) -> date:
    """The day on which a person legally attains ``age``: the day before the birthday (cached:
    the engine asks it a dozen times a household, and birth dates repeat across a city)."""
    return birthday(birth_date, age) - timedelta(days=1)


def age_on(birth_date: date, day: date) -> int:
    """The legal age on ``day``."""
    if day >= birth_date:
        # attaining on the day before the birthday is the common age on the day after (a 29
        # February birthday then falls on 1 March in common years, as :func:`birthday` has
        # it); no loop of :func:`attains` (the engine asks this for every judged person)
        after = day + _ONE_DAY
        return (
            after.year
            - birth_date.year
            - ((after.month, after.day) < (birth_date.month, birth_date.day))
        )
    age = day.year - birth_date.year
    while age > 0 and attains(birth_date, age) > day:
        age -= 1
    while attains(birth_date, age + 1) <= day:
        age += 1
    return age


def until_fiscal_year_end_after(birth_date: date, age: int, fiscal_year: int) -> bool:
    """True when the person is still "under ``age``" for the whole fiscal year in the school
    sense: up to the 31 March after attaining ``age`` (未就学児 for 6, 子ども分 for 18)."""
    return attains(birth_date, age) >= date(fiscal_year, 4, 1)
