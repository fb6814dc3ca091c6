"""Events kept inside collection (never published): a charge change entered by one clerk and
waiting for a second (C-11), or rejected. The reason is free text and stays here."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from kokuho.events.contracts import EventContract


class ChargeChangeEntered(EventContract):
    event_type = "jp.kokuho.collection.charge_change_entered.v1"

    nhi_household_number: str
    change_id: str
    fiscal_year: int
    period: int
    amount: int = Field(ge=0)
    due_date: date | None
    reason: str
    entered_by: str
    effective_on: date


class ChargeChangeRejected(EventContract):
    event_type = "jp.kokuho.collection.charge_change_rejected.v1"

    nhi_household_number: str
    change_id: str
    rejected_by: str
    effective_on: date
