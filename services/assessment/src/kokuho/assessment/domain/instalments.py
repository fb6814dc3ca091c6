"""期割: the annual premium split into the city's 普通徴収 instalments, with due dates moved to
the next day the city office is open (rules.md 2.6, standard-and-rates.md B.4).

Whether a day is a public holiday is told by the caller (``is_holiday``), so the domain stays
free of calendars; the adapters use jpholiday.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from kokuho.assessment.domain.calendar import month_end
from kokuho.assessment.domain.parameters import InstalmentCalendar

IsHoliday = Callable[[date], bool]


class Instalment(NamedTuple):
    """One 普通徴収 instalment (a tuple: ten a household in the annual run, where a frozen
    dataclass cost ~1.3 µs each)."""

    period: int  # 第n期
    due_date: date
    amount: int
    difference: int = 0  # change from the previous assessment's instalment


def office_closed(day: date, calendar: InstalmentCalendar, is_holiday: IsHoliday) -> bool:
    return day.weekday() >= 5 or is_holiday(day) or (day.month, day.day) in calendar.closed_days


def due_dates(fiscal_year: int, calendar: InstalmentCalendar, is_holiday: IsHoliday) -> list[date]:
    """Month-end due dates from ``first_month``, each moved to the next open day."""
    out = []
    for i in range(calendar.periods):
        month = calendar.first_month + i
        year = fiscal_year + (month - 1) // 12
        due = month_end(date(year, (month - 1) % 12 + 1, 1))
        while office_closed(due, calendar, is_holiday):
            due += timedelta(days=1)
        out.append(due)
    return out


def split(
    annual: int,
    dues: Sequence[date],
    assessed_on: date,
    unit: int,
    previous: Sequence[Instalment] = (),
) -> list[Instalment]:
    """Instalments summing to ``annual``.

    Periods already due on ``assessed_on`` keep the previous assessment's amounts (0 for a
    first assessment); the rest is spread over the open periods in ``unit`` yen with the
    remainder in the first open period. A correction below what is already due reduces the due
    periods from the latest backwards (collection refunds or re-appropriates the difference).
    """
    before = {i.period: i.amount for i in previous}
    amounts = [before.get(n, 0) if due < assessed_on else 0 for n, due in enumerate(dues, 1)]
    open_periods = [n for n, due in enumerate(dues, 1) if due >= assessed_on]
    fixed = sum(amounts)
    remaining = annual - fixed
    if remaining >= 0:
        if not open_periods:
            amounts[-1] += remaining
        else:
            share = remaining // len(open_periods) // unit * unit
            for n in open_periods:
                amounts[n - 1] = share
            amounts[open_periods[0] - 1] += remaining - share * len(open_periods)
    else:
        deficit = -remaining
        for index in range(len(amounts) - 1, -1, -1):
            cut = min(deficit, amounts[index])
            amounts[index] -= cut
            deficit -= cut
    return [
        Instalment(n, due, amount, amount - before.get(n, 0))
        for n, (due, amount) in enumerate(zip(dues, amounts, strict=True), 1)
    ]
