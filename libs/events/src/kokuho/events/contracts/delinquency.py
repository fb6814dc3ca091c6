"""Public events of delinquency (滞納整理).

Topic ``kokuho.delinquency.events`` (general; partition key = NHI household number, so that one
household's events arrive in order, as on collection's topic), and its dead-letter topic
``kokuho.delinquency.events.dlq``. C-08: the delinquency file (negotiation records, promises,
plans, reliefs, investigations, seizures) stays inside the service; only what other services
need is published, as identifiers, fiscal years, instalments, dates, codes and amounts: **no**
names, addresses, phone numbers, account numbers, notes or individual numbers.

- for collection: ``ProceedsCollected`` (enforcement proceeds to be taken in as a payment,
  channel ``enforcement``), ``PrescriptionRenewed`` (acts only delinquency sees: a plan, a
  seizure, a distribution demand), ``ArrearWrittenOff`` (不納欠損 with its ground);
- for eligibility and benefits: ``SpecialCareFlagged`` / ``SpecialCareCleared`` (the 特別療養費
  flag, rules.md §4.6) and ``BenefitsWithheld`` / ``BenefitsReleased`` (1 year 6 months).

A breaking change is a new ``.v2`` class produced alongside the old one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from kokuho.events.contracts.registry import EventContract

EVENTS_TOPIC = "kokuho.delinquency.events"

HouseholdNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Yen = Annotated[int, Field(ge=0, description="integer yen")]
FiscalYear = Annotated[int, Field(ge=2000, le=2100)]
Period = Annotated[int, Field(ge=1, le=12, description="期別 (第n期)")]
Reason = Literal["paid", "written_off", "special_reason"]


class ProceedsCollected(EventContract):
    """換価・取立: money from a seizure, for collection to take in as a payment (channel
    ``enforcement``) and match to the household's oldest arrears."""

    event_type = "jp.kokuho.delinquency.proceeds_collected.v1"

    nhi_household_number: HouseholdNumber
    proceeds_id: str = Field(max_length=64, description="the payment id collection may use")
    seizure_id: str = Field(max_length=64)
    amount: Yen
    effective_on: date = Field(description="the day the proceeds were received")


class PrescriptionRenewed(EventContract):
    """時効の更新 of one instalment by an act recorded here (民法148条, 152条)."""

    event_type = "jp.kokuho.delinquency.prescription_renewed.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    act: Literal["plan", "seizure", "seizure_end", "distribution_demand"]
    effective_on: date = Field(description="the period runs again from the next day")


class ArrearWrittenOff(EventContract):
    """不納欠損: the instalment's outstanding principal extinguished, with its ground."""

    event_type = "jp.kokuho.delinquency.arrear_written_off.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    amount: Yen
    ground: Literal["prescription", "suspension_period"]
    effective_on: date


class SpecialCareFlagged(EventContract):
    """特別療養費: 1 year or more of arrears, no special reason, after the advance notice. Members
    pay 10割 at the counter; eligibility issues the 資格確認書(特別療養費)."""

    event_type = "jp.kokuho.delinquency.special_care_flagged.v1"

    nhi_household_number: HouseholdNumber
    oldest_due_date: date = Field(description="the 納期限 of the oldest instalment owed")
    effective_on: date


class SpecialCareCleared(EventContract):
    event_type = "jp.kokuho.delinquency.special_care_cleared.v1"

    nhi_household_number: HouseholdNumber
    reason: Reason
    effective_on: date


class BenefitsWithheld(EventContract):
    """給付の一時差止: arrears of 1 year 6 months or more (rules.md §4.6)."""

    event_type = "jp.kokuho.delinquency.benefits_withheld.v1"

    nhi_household_number: HouseholdNumber
    oldest_due_date: date
    effective_on: date


class BenefitsReleased(EventContract):
    event_type = "jp.kokuho.delinquency.benefits_released.v1"

    nhi_household_number: HouseholdNumber
    reason: Reason
    effective_on: date
