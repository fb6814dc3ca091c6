"""時効: the right to collect a premium lapses after 2 years (国保法110条; rules.md §4.5).

The period runs from the day after the 納期限 (the first day the right can be exercised,
counted: 民法140条 ただし書), and starts again from the day after each act that renews it
(時効の更新: a 督促 (地方自治法236条4項) from the day after its 指定期限, a payment of part of
the debt as an acknowledgement (民法152条) from the day after it, a seizure recorded by
delinquency from the day after it). It ends on the day before the corresponding day ``years``
later, the last day of the month when there is none (民法143条); the right has lapsed from the
day after that.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from kokuho.collection.domain.interest import add_months

ONE_DAY = timedelta(days=1)


def period_end(first_day: date, years: int) -> date:
    """The last day of a period of ``years`` years counted from ``first_day`` (included)."""
    corresponding = add_months(first_day, 12 * years)
    if corresponding.day != first_day.day:  # no corresponding day: the month's last day
        return corresponding
    return corresponding - ONE_DAY


def lapses_on(due_date: date, renewals: Iterable[date], years: int) -> date:
    """The first day on which the right to collect the charge has lapsed: the day after the
    period that began after the latest of the 納期限 and the renewing acts."""
    start = max([due_date, *renewals]) + ONE_DAY
    return period_end(start, years) + ONE_DAY
