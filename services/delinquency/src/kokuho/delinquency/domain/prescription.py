"""時効 of each arrear: collection's right lapses after 2 years (国保法110条; rules.md §4.5 ✅).

- The period runs from the day after the 納期限 (民法140条: the first day is not counted) and
  ends on the day before the corresponding day ``years`` later, or on the month's last day when
  there is none (民法143条); the right has lapsed from the next day.
- It starts again (時効の更新) from the day after each renewing act: the 督促 (from its 指定期限,
  地方自治法236条4項), a part payment or an instalment plan as an acknowledgement (承認,
  民法152条), a seizure or a distribution demand (民法148条, 国税徴収法 applied by 地方税法の例:
  renewed on the day of the act and again when the seizure ends). ◐: rules.md names only the
  2 years; these acts are the statutes' own (collection's ``prescription`` uses the same).
- It does not complete while a seizure is in force (完成猶予, 民法148条1項), and does not run
  while a 徴収猶予 or 換価猶予 is in force (地方税法18条の2第4項の例; ◐ inference).
A lapsed arrear is written off (不納欠損) by an event; it is never dropped silently.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from kokuho.delinquency.domain.model import Arrear, Case

ONE_DAY = timedelta(days=1)
PAUSING_RELIEFS = ("collection_deferral", "realization_deferral")


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later (the month's last day when there is none)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_end(first_day: date, months: int) -> date:
    """The last day of a period of ``months`` months counted from ``first_day`` (included)."""
    corresponding = add_months(first_day, months)
    if corresponding.day != first_day.day:
        return corresponding
    return corresponding - ONE_DAY


def _overlap(start: date, end: date, pause: tuple[date, date]) -> int:
    low, high = max(start, pause[0]), min(end, pause[1])
    return (high - low).days + 1 if low <= high else 0


def lapses_on(arrear: Arrear, years: int, pauses: Iterable[tuple[date, date]] = ()) -> date:
    """The first day on which the right to collect the arrear has lapsed."""
    start = max([arrear.due_date, *arrear.renewals]) + ONE_DAY
    end = period_end(start, 12 * years)
    windows = sorted(pauses)
    counted = 0
    while True:  # each day paused moves the end; a moved end may reach the next pause
        paused = sum(_overlap(start, end, w) for w in windows)
        if paused == counted:
            return end + ONE_DAY
        end += (paused - counted) * ONE_DAY
        counted = paused


def pauses(case: Case) -> list[tuple[date, date]]:
    """The deferrals in force, as closed intervals."""
    out = []
    for r in case.reliefs:
        if r.kind in PAUSING_RELIEFS and r.status in ("approved", "ended"):
            end = r.ended_on or r.ends_on
            if end is not None and end >= r.starts_on:
                out.append((r.starts_on, end))
    return out


def seized(case: Case, day: date) -> bool:
    """A seizure in force holds back the completion (完成猶予)."""
    return any(s.status == "in_force" and s.seized_on <= day for s in case.seizures)


def lapsed(case: Case, arrear: Arrear, day: date, years: int) -> date | None:
    """The day the arrear lapsed, when it has by ``day`` (and is still owed)."""
    if arrear.outstanding <= 0 or seized(case, day):
        return None
    on = lapses_on(arrear, years, pauses(case))
    return on if on <= day else None
