"""Date rules of qualification (rules.md section 5), parametrised by ``QualificationRules``.

The figures come from ``parameters/qualification.toml`` (loaded outside the domain); the
domain only computes with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class QualificationRules:
    """The parameters of qualification dates; each figure is cited in the TOML file."""

    notification_period_days: int
    acquisition_offset_days: Mapping[str, int]
    loss_offset_days: Mapping[str, int]
    turning_75_offset_days: int = 0
    late_elderly_age: int = 75
    leap_day_birthday_in_common_year: tuple[int, int] = (3, 1)
    elderly_from_age: int = 70
    elderly_until_age: int = 75
    elderly_default_copayment_tenths: int = 2
    elderly_rate_year_start_month: int = 8
    confirmation_document_valid_years: int = 5
    unemployment_reason_codes: frozenset[str] = field(default_factory=frozenset)
    unemployment_max_age_at_separation: int = 64
    card_symbol: str = "広島34"
    retention_years_after_loss: int = 5
    limit_certificates_last_issue_date: date = date(2024, 12, 1)
    elderly_recipient_certificates_last_issue_date: date = date(2024, 12, 1)
    version: str = ""


def anniversary(birth_date: date, years: int, rules: QualificationRules) -> date:
    """The ``years``-th birthday. 29 February falls on the configured day in common years."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # 29 February in a common year
        month, day = rules.leap_day_birthday_in_common_year
        return date(birth_date.year + years, month, day)


def age_on(birth_date: date, on: date, rules: QualificationRules) -> int:
    """Completed years on ``on``: the age counts from the birthday (by ``anniversary``)."""
    years = on.year - birth_date.year
    if years > 0 and on < anniversary(birth_date, years, rules):
        years -= 1
    return max(years, 0)


def is_late(fact_date: date, notification_date: date, rules: QualificationRules) -> bool:
    """More than the notification period after the fact (初日不算入: fact + 14 is on time)."""
    return notification_date > fact_date + timedelta(days=rules.notification_period_days)


def acquisition_date(reason: str, fact_date: date, rules: QualificationRules) -> date:
    return fact_date + timedelta(days=rules.acquisition_offset_days[reason])


def loss_date(reason: str, fact_date: date, rules: QualificationRules) -> date:
    if reason == "turned_75":
        return fact_date + timedelta(days=rules.turning_75_offset_days)
    return fact_date + timedelta(days=rules.loss_offset_days[reason])


def turning_75_loss_date(birth_date: date, rules: QualificationRules) -> date:
    birthday = anniversary(birth_date, rules.late_elderly_age, rules)
    return loss_date("turned_75", birthday, rules)


def elderly_start(birth_date: date, rules: QualificationRules) -> date:
    """高齢受給者 from the month after the 70th birthday; from that month if born on the 1st."""
    birthday = anniversary(birth_date, rules.elderly_from_age, rules)
    if birthday.day == 1:
        return birthday
    if birthday.month == 12:
        return date(birthday.year + 1, 1, 1)
    return date(birthday.year, birthday.month + 1, 1)


def copayment_period(
    birth_date: date, on: date, rules: QualificationRules
) -> tuple[date, date] | None:
    """The 70-74 co-payment rate period containing ``on`` (August to July, cut at the start of
    the band and at the day before the 75th birthday), or None outside the band."""
    start = elderly_start(birth_date, rules)
    band_end = anniversary(birth_date, rules.late_elderly_age, rules) - timedelta(days=1)
    if not start <= on <= band_end:
        return None
    month = rules.elderly_rate_year_start_month
    year = on.year if on.month >= month else on.year - 1
    year_start = date(year, month, 1)
    year_end = date(year + 1, month, 1) - timedelta(days=1)
    return max(start, year_start), min(band_end, year_end)


def erasable_from(last_loss: date, rules: QualificationRules) -> date:
    """The first day personal details may be erased after the last loss (C-95)."""
    return add_years(last_loss, rules.retention_years_after_loss)


def fiscal_year_end(on: date) -> date:
    """31 March that ends the Japanese fiscal year containing ``on``."""
    year = on.year if on.month < 4 else on.year + 1
    return date(year, 3, 31)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)
