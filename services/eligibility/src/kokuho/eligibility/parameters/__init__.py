"""Versioned parameter files (legal figures as data) and their loader."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from typing import Any

from kokuho.eligibility.domain.rules import QualificationRules


def load_raw(name: str = "qualification.toml") -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_rules() -> QualificationRules:
    raw = load_raw()
    month, day = (int(p) for p in raw["birthdays"]["leap_day_birthday_in_common_year"].split("-"))
    return QualificationRules(
        notification_period_days=raw["notification"]["period_days"],
        acquisition_offset_days={k: v["offset_days"] for k, v in raw["acquisition"].items()},
        loss_offset_days={k: v["offset_days"] for k, v in raw["loss"].items()},
        turning_75_offset_days=raw["turning_75"]["offset_days"],
        late_elderly_age=raw["turning_75"]["age"],
        leap_day_birthday_in_common_year=(month, day),
        elderly_from_age=raw["elderly_recipient"]["from_age"],
        elderly_until_age=raw["elderly_recipient"]["until_age"],
        elderly_default_copayment_tenths=raw["elderly_recipient"]["default_copayment_rate_tenths"],
        elderly_rate_year_start_month=raw["elderly_recipient"]["rate_year_start_month"],
        confirmation_document_valid_years=raw["eligibility_confirmation_document"]["valid_years"],
        unemployment_reason_codes=frozenset(raw["involuntary_unemployment"]["reason_codes"]),
        unemployment_max_age_at_separation=raw["involuntary_unemployment"]["max_age_at_separation"],
        card_symbol=raw["card"]["symbol"],
        retention_years_after_loss=raw["retention"]["years_after_loss"],
        limit_certificates_last_issue_date=date.fromisoformat(
            raw["certificates"]["limit_certificates_last_issue_date"]
        ),
        elderly_recipient_certificates_last_issue_date=date.fromisoformat(
            raw["certificates"]["elderly_recipient_certificates_last_issue_date"]
        ),
        version=raw["version"],
    )
