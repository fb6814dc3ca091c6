"""特別療養費 (rules.md §4.6 ✅; §4.1 [R07]): a household with arrears 1 year or more past their
納期限 and no special reason pays 10割 at the counter and claims 特別療養費; the householder is
told beforehand (the advance notice); at 1 year 6 months benefits may be withheld (◐: the
article, likely 国保法63条の2, is not confirmed). A special reason (disaster or theft, illness
or injury, business closure or severe loss) is honoured: no flag, none withheld.

"1 year or more": the year counted from the day after the 納期限 (民法140条, 143条) has run,
so the flag may come from the day after the corresponding day one year later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.errors import DateInTheFuture, SpecialReasonUnknown
from kokuho.delinquency.domain.model import SPECIAL_REASONS, Case
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.domain.prescription import ONE_DAY, period_end


@dataclass(frozen=True)
class RecordAdvanceNotice:
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class RecordSpecialReason:
    reason: str
    note: str
    by: str
    on: date
    today: date


def reached(due_date: date, months: int) -> date:
    """The first day on which an arrear due on ``due_date`` is ``months`` months old."""
    return period_end(due_date + ONE_DAY, months) + ONE_DAY


def oldest_owed(case: Case) -> date | None:
    owed = [a.due_date for a in case.arrears if a.outstanding > 0]
    return min(owed) if owed else None


def review(case: Case, today: date, rules: Rules) -> list[ev.Event]:
    care, oldest = case.special_care, oldest_owed(case)
    honoured = care.special_reason is not None
    year = oldest is not None and reached(oldest, rules.special_care_after_months) <= today
    longer = oldest is not None and reached(oldest, rules.withhold_after_months) <= today
    notified = care.advance_notice_on is not None and (
        care.advance_notice_on + timedelta(days=rules.advance_notice_days) <= today
    )
    out: list[ev.Event] = []
    if care.flagged_on is None and year and notified and not honoured:
        assert oldest is not None
        out.append(ev.SpecialCareFlagged(oldest, today))
    elif care.flagged_on is not None and not year:
        out.append(ev.SpecialCareCleared("paid", today))
    flagged = care.flagged_on is not None or bool(out)
    if care.withheld_on is None and longer and flagged and not honoured:
        assert oldest is not None
        out.append(ev.BenefitsWithheld(oldest, today))
    elif care.withheld_on is not None and not longer:
        out.append(ev.BenefitsReleased("paid", today))
    return out


def _notice(case: Case, c: RecordAdvanceNotice) -> list[ev.Event]:
    if c.on > c.today:
        raise DateInTheFuture(f"advance notice on {c.on}, after today {c.today}")
    return [ev.AdvanceNoticeSent(c.by, c.on)]


def _reason(case: Case, c: RecordSpecialReason) -> list[ev.Event]:
    if c.reason not in SPECIAL_REASONS:
        raise SpecialReasonUnknown(f"{c.reason!r} is not one of {', '.join(SPECIAL_REASONS)}")
    if c.on > c.today:
        raise DateInTheFuture(f"special reason on {c.on}, after today {c.today}")
    out: list[ev.Event] = [ev.SpecialReasonRecorded(c.reason, c.note, c.by, c.on)]
    if case.special_care.flagged_on is not None:
        out.append(ev.SpecialCareCleared("special_reason", c.today))
    if case.special_care.withheld_on is not None:
        out.append(ev.BenefitsReleased("special_reason", c.today))
    return out


DECIDERS: dict[type[Any], Any] = {RecordAdvanceNotice: _notice, RecordSpecialReason: _reason}
