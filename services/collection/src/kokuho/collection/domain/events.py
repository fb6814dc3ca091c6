"""The events of a household's ledger (see ``ledger``): each carries ``on``, the day it takes
effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Applied:
    """Principal of one instalment paid by a payment or an appropriation."""

    fiscal_year: int
    period: int
    amount: int


@dataclass(frozen=True)
class ChargeSet:
    """調定 of an instalment set or changed (assessment, correction, or a confirmed change)."""

    fiscal_year: int
    period: int
    due_date: date
    amount: int
    previous_amount: int
    cause: str  # assessment | correction | manual
    source_id: str  # the assessment id or the change id
    revision: int
    entered_by: str
    confirmed_by: str | None
    on: date
    collection_method: str | None = None  # ordinary | special (特別徴収); None: unchanged


@dataclass(frozen=True)
class OverpaymentArisen:
    """A charge lowered below what was paid: the excess becomes an overpayment held."""

    fiscal_year: int
    period: int
    amount: int
    since: date
    on: date


@dataclass(frozen=True)
class PaymentReceived:
    payment_id: str
    amount: int
    channel: str
    fiscal_year: int | None
    period: int | None
    applied: tuple[Applied, ...]
    late_charge_applied: tuple[Applied, ...]
    overpaid: int
    reference: str
    received_on: date
    on: date  # the day it was paid


@dataclass(frozen=True)
class PaymentReversed:
    """A payment taken back: ``principal`` from the charges it still pays, ``from_held`` from
    the overpayment held (its overpaid part, and what a later correction released)."""

    payment_id: str
    reason: str
    reversed_by: str
    principal: tuple[Applied, ...]
    from_held: int
    on: date


@dataclass(frozen=True)
class Appropriated:
    """充当: overpayment held applied to an overdue charge (principal) or its 延滞金."""

    appropriation_id: str
    principal: tuple[Applied, ...]
    late_charge: tuple[Applied, ...]
    on: date


@dataclass(frozen=True)
class RefundDecided:
    refund_id: str
    amount: int
    interest: int
    pieces: tuple[tuple[date, int], ...]
    decided_by: str
    on: date


@dataclass(frozen=True)
class LateChargeFixed:
    fiscal_year: int
    period: int
    amount: int
    on: date


@dataclass(frozen=True)
class DunningIssued:
    notice_id: str
    fiscal_year: int
    period: int
    outstanding: int
    fee: int
    designated_deadline: date
    on: date


@dataclass(frozen=True)
class ChargeLapsed:
    """時効: the right lapsed; the outstanding principal is marked for write-off (不納欠損)."""

    fiscal_year: int
    period: int
    amount: int
    on: date


@dataclass(frozen=True)
class ChargeChangeEntered:
    change_id: str
    fiscal_year: int
    period: int
    amount: int
    due_date: date | None
    reason: str
    entered_by: str
    on: date


@dataclass(frozen=True)
class ChargeChangeRejected:
    change_id: str
    rejected_by: str
    on: date


@dataclass(frozen=True)
class DirectDebitFailed:
    """口座振替 of an instalment failed (振替結果コード other than 0): the charge stays owed and
    an ordinary payment slip (納付書) is sent for it."""

    fiscal_year: int
    period: int
    amount: int
    result_code: str
    result: str
    debit_date: date
    on: date


@dataclass(frozen=True)
class PensionDeductionStopped:
    """特別徴収 of an instalment stopped (the pension insurer did not deduct it): the charge
    stays, moved to ordinary collection with a new due date and a payment slip."""

    fiscal_year: int
    period: int
    pension_month: int
    amount: int
    reason: str
    due_date: date
    on: date


@dataclass(frozen=True)
class ChargePrescriptionRenewed:
    """時効の更新 by an act delinquency recorded (a plan, a seizure, its end, a distribution
    demand): the 2-year period runs again from the day after ``on``."""

    fiscal_year: int
    period: int
    act: str
    on: date


@dataclass(frozen=True)
class ChargeWrittenOff:
    """不納欠損 recorded by delinquency: ``amount`` of the outstanding principal extinguished
    (never paid), with its ground (prescription, or the end of a suspension period)."""

    fiscal_year: int
    period: int
    amount: int
    ground: str
    on: date


Event = (
    ChargeSet
    | OverpaymentArisen
    | PaymentReceived
    | PaymentReversed
    | Appropriated
    | RefundDecided
    | LateChargeFixed
    | DunningIssued
    | ChargeLapsed
    | ChargeChangeEntered
    | ChargeChangeRejected
    | DirectDebitFailed
    | PensionDeductionStopped
    | ChargePrescriptionRenewed
    | ChargeWrittenOff
)
ALL_EVENTS: tuple[type[Any], ...] = Event.__args__
