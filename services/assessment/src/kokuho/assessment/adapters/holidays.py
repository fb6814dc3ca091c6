"""Japanese public holidays (国民の祝日, 振替休日, 国民の休日) from jpholiday."""

from __future__ import annotations

from datetime import date

import jpholiday


def is_public_holiday(day: date) -> bool:
    return bool(jpholiday.is_holiday(day))
