"""The events of relief, enforcement, 特別療養費 and reminders (see ``events``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# --- relief ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliefRequested:
    relief_id: str
    kind: str
    ground: str
    starts_on: date
    ends_on: date | None
    amount: int
    security_amount: int
    requested_by: str
    reason: str
    on: date


@dataclass(frozen=True)
class ReliefDecided:
    relief_id: str
    approved: bool
    decided_by: str
    note: str
    on: date


@dataclass(frozen=True)
class ReliefEnded:
    relief_id: str
    reason: str
    by: str
    on: date


# --- enforcement ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvestigationStarted:
    investigation_id: str
    kind: str  # bank | employer | real_estate | other
    target: str
    by: str
    on: date


@dataclass(frozen=True)
class InvestigationAnswered:
    investigation_id: str
    answer: str
    found_amount: int
    by: str
    on: date


@dataclass(frozen=True)
class PropertySeized:
    seizure_id: str
    kind: str
    amount: int
    description: str
    co_owners: tuple[tuple[str, int, int], ...]  # (owner label, numerator, denominator)
    by: str
    on: date


@dataclass(frozen=True)
class SeizureReleased:
    seizure_id: str
    reason: str
    by: str
    on: date


@dataclass(frozen=True)
class DistributionDemanded:
    demand_id: str
    authority: str
    amount: int
    by: str
    on: date


@dataclass(frozen=True)
class ProceedsCollected:
    proceeds_id: str
    seizure_id: str
    amount: int
    on: date


# --- 特別療養費 (public: SpecialCare*, Benefits*) -------------------------------------------


@dataclass(frozen=True)
class AdvanceNoticeSent:
    by: str
    on: date


@dataclass(frozen=True)
class SpecialReasonRecorded:
    reason: str
    note: str
    by: str
    on: date


@dataclass(frozen=True)
class SpecialCareFlagged:
    oldest_due_date: date
    on: date


@dataclass(frozen=True)
class SpecialCareCleared:
    reason: str  # paid | special_reason | written_off
    on: date


@dataclass(frozen=True)
class BenefitsWithheld:
    oldest_due_date: date
    on: date


@dataclass(frozen=True)
class BenefitsReleased:
    reason: str
    on: date


@dataclass(frozen=True)
class RemindersStopped:
    reason: str
    by: str
    on: date


@dataclass(frozen=True)
class RemindersRestarted:
    reason: str
    by: str
    on: date


@dataclass(frozen=True)
class ReminderIssued:
    letter_id: str
    billed_unpaid: int
    billed_late_charge: int
    pay_by: date
    by: str
    on: date
