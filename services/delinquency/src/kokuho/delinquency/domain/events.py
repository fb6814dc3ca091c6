"""The events of a case. Each carries the day it took effect (``on``).

Most stay in this service's own event store (C-08: negotiation notes, seizures, reliefs and
investigations never reach a general topic); the few other services need (``PUBLIC``) are
published on ``kokuho.delinquency.events`` by the application layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.delinquency.domain.acts import (
    AdvanceNoticeSent,
    BenefitsReleased,
    BenefitsWithheld,
    DistributionDemanded,
    InvestigationAnswered,
    InvestigationStarted,
    ProceedsCollected,
    PropertySeized,
    ReliefDecided,
    ReliefEnded,
    ReliefRequested,
    ReminderIssued,
    RemindersRestarted,
    RemindersStopped,
    SeizureReleased,
    SpecialCareCleared,
    SpecialCareFlagged,
    SpecialReasonRecorded,
)
from kokuho.delinquency.domain.model import Instalment, Part

# --- facts from collection ------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearDunned:
    fiscal_year: int
    period: int
    due_date: date
    outstanding: int
    designated_deadline: date
    notice_id: str
    on: date


@dataclass(frozen=True)
class ArrearRecharged:
    """The charge of a dunned instalment changed by ``change`` yen (a correction)."""

    fiscal_year: int
    period: int
    change: int
    on: date


@dataclass(frozen=True)
class PaymentNoted:
    payment_id: str
    applied: tuple[Part, ...]
    late_charge_applied: tuple[Part, ...]
    channel: str
    on: date


@dataclass(frozen=True)
class PaymentWithdrawn:
    """A reversal: ``parts`` is the principal owed again (empty: all the payment applied)."""

    payment_id: str
    on: date
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class LateChargeNoted:
    fiscal_year: int
    period: int
    amount: int
    on: date


# --- the case's life ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseOpened:
    stage: str
    on: date


@dataclass(frozen=True)
class CaseReopened:
    stage: str
    on: date


@dataclass(frozen=True)
class CaseClosed:
    reason: str  # paid | written_off
    on: date


@dataclass(frozen=True)
class CaseAssigned:
    officer: str
    group: str
    division: str
    ward: str | None
    by: str
    on: date


@dataclass(frozen=True)
class StageChanged:
    stage: str
    on: date


@dataclass(frozen=True)
class TaskRaised:
    task_id: str
    kind: str
    reason: str
    on: date


@dataclass(frozen=True)
class TaskDone:
    task_id: str
    by: str
    on: date


# --- negotiation and plans ------------------------------------------------------------------


@dataclass(frozen=True)
class NegotiationRecorded:
    record_id: str
    officer: str
    officer_group: str
    officer_division: str
    counterparty: str  # self | family | employer | representative | other (DLQ-99)
    channel: str  # phone | visit | office | letter | notification_center
    outcome: str  # reached | promise | refused | wrong_number | absent
    summary: str
    on: date


@dataclass(frozen=True)
class PromiseMade:
    promise_id: str
    kind: str
    promised_on: date
    amount: int
    officer: str
    on: date


@dataclass(frozen=True)
class PromiseKept:
    promise_id: str
    on: date


@dataclass(frozen=True)
class PromiseBroken:
    promise_id: str
    on: date


@dataclass(frozen=True)
class PlanAgreed:
    plan_id: str
    instalments: tuple[Instalment, ...]
    officer: str
    pledge_received: bool
    previous_stage: str
    on: date


@dataclass(frozen=True)
class PlanBroken:
    plan_id: str
    missed_due_on: date
    on: date


@dataclass(frozen=True)
class PlanCompleted:
    plan_id: str
    on: date


# --- prescription and write-off (public) ----------------------------------------------------


@dataclass(frozen=True)
class PrescriptionRenewed:
    fiscal_year: int
    period: int
    act: str  # dunning | payment | plan | seizure | distribution_demand
    on: date


@dataclass(frozen=True)
class ArrearWrittenOff:
    fiscal_year: int
    period: int
    amount: int
    ground: str  # prescription | suspension_period | suspension_immediate
    on: date


Event = (
    ArrearDunned
    | ArrearRecharged
    | PaymentNoted
    | PaymentWithdrawn
    | LateChargeNoted
    | CaseOpened
    | CaseReopened
    | CaseClosed
    | CaseAssigned
    | StageChanged
    | TaskRaised
    | TaskDone
    | NegotiationRecorded
    | PromiseMade
    | PromiseKept
    | PromiseBroken
    | PlanAgreed
    | PlanBroken
    | PlanCompleted
    | PrescriptionRenewed
    | ArrearWrittenOff
    | ReliefRequested
    | ReliefDecided
    | ReliefEnded
    | InvestigationStarted
    | InvestigationAnswered
    | PropertySeized
    | SeizureReleased
    | DistributionDemanded
    | ProceedsCollected
    | AdvanceNoticeSent
    | SpecialReasonRecorded
    | SpecialCareFlagged
    | SpecialCareCleared
    | BenefitsWithheld
    | BenefitsReleased
    | RemindersStopped
    | RemindersRestarted
    | ReminderIssued
)

__all__ = [
    "PUBLIC",
    "AdvanceNoticeSent",
    "BenefitsReleased",
    "BenefitsWithheld",
    "DistributionDemanded",
    "Event",
    "InvestigationAnswered",
    "InvestigationStarted",
    "ProceedsCollected",
    "PropertySeized",
    "ReliefDecided",
    "ReliefEnded",
    "ReliefRequested",
    "ReminderIssued",
    "RemindersRestarted",
    "RemindersStopped",
    "SeizureReleased",
    "SpecialCareCleared",
    "SpecialCareFlagged",
    "SpecialReasonRecorded",
]

#: published on the general topic (what eligibility, benefits and collection need)
PUBLIC: tuple[type, ...] = (
    PrescriptionRenewed,
    ArrearWrittenOff,
    ProceedsCollected,
    SpecialCareFlagged,
    SpecialCareCleared,
    BenefitsWithheld,
    BenefitsReleased,
)
