"""Public events of collection (保険料収納).

Topic ``kokuho.collection.events`` (general; partition key = NHI household number, so that one
household's events arrive in order), and its dead-letter topic
``kokuho.collection.events.dlq``. Identifiers, fiscal years, instalments, dates, codes and
amounts only: **no** names, addresses, phone numbers, bank account numbers or individual
numbers. A breaking change is a new ``.v2`` class produced alongside this one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from kokuho.events.contracts.registry import EventContract

EVENTS_TOPIC = "kokuho.collection.events"

HouseholdNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Yen = Annotated[int, Field(ge=0, description="integer yen")]
FiscalYear = Annotated[int, Field(ge=2000, le=2100)]
Period = Annotated[int, Field(ge=1, le=12, description="期別 (第n期)")]
Channel = Literal["bank", "convenience_store", "counter", "direct_debit", "pension", "enforcement"]


class Applied(BaseModel):
    """Yen of one instalment paid (principal, or its 延滞金)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fiscal_year: FiscalYear
    period: Period
    amount: Yen


class HeldPiece(BaseModel):
    """A refunded piece of overpayment and the day it was paid (interest runs from the next)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    since: date
    amount: Yen


class ChargeSet(EventContract):
    """調定: an instalment's charge set or changed (by the assessment, its correction, or a change
    entered and confirmed by two staff members, C-11); the prior amount is kept (C-24)."""

    event_type = "jp.kokuho.collection.charge_set.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    due_date: date = Field(description="納期限")
    amount: Yen
    previous_amount: Yen
    cause: Literal["assessment", "correction", "manual"]
    source_id: str = Field(max_length=64, description="the assessment id or the change id")
    revision: int = Field(ge=0, description="the assessment's revision (0 for a manual change)")
    entered_by: str = Field(min_length=1, max_length=200)
    confirmed_by: str | None = Field(default=None, max_length=200)
    effective_on: date
    collection_method: Literal["ordinary", "special"] | None = Field(
        default=None,
        description="ordinary (普通徴収) or special (特別徴収: deducted from a pension);"
        " absent: unchanged",
    )


class OverpaymentArisen(EventContract):
    """A charge was lowered below what was paid on it: the excess is held (過誤納金)."""

    event_type = "jp.kokuho.collection.overpayment_arisen.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    amount: Yen
    since: date = Field(description="the day the released money had been paid")
    effective_on: date


class PaymentReceived(EventContract):
    """A payment (納付) received and matched to the household's charges (消込)."""

    event_type = "jp.kokuho.collection.payment_received.v1"

    nhi_household_number: HouseholdNumber
    payment_id: str = Field(max_length=64)
    amount: Yen
    channel: Channel
    fiscal_year: FiscalYear | None = Field(description="the instalment the payer named, if any")
    period: Period | None
    applied: list[Applied] = Field(description="principal paid, per instalment")
    late_charge_applied: list[Applied] = Field(description="延滞金 paid, per instalment")
    overpaid: Yen = Field(description="held as an overpayment (過誤納金), on the work list")
    reference: str = Field(
        max_length=64, description="the bank line, slip or receipt reference (no account data)"
    )
    received_on: date = Field(description="the day the notice of receipt reached the city")
    paid_on: date = Field(description="納付年月日")


class BenefitAppropriatedToArrears(EventContract):
    """充当: part of a benefit payout that benefits marked ``may_appropriate_to_arrears``
    (特別療養費, rules.md §4.6) set against the household's overdue premiums (oldest principal
    first, then 延滞金 already fixed: rules.md §4.4, §4.7). It pays the charges like a payment
    (the same fields as ``PaymentReceived``; ``channel`` ``benefit``); ``reference`` is benefits'
    payment id, ``amount`` what was appropriated: the payee is paid the ordered amount less it.
    Nothing published when nothing was overdue."""

    event_type = "jp.kokuho.collection.benefit_appropriated_to_arrears.v1"

    nhi_household_number: HouseholdNumber
    payment_id: str = Field(max_length=64)
    amount: Yen = Field(description="appropriated, yen (at most the payout)")
    channel: Literal["benefit"]
    fiscal_year: FiscalYear | None = Field(description="always absent (oldest first)")
    period: Period | None
    applied: list[Applied] = Field(description="principal paid, per instalment")
    late_charge_applied: list[Applied] = Field(description="延滞金 paid, per instalment")
    overpaid: Yen = Field(description="always 0: the rest of the payout is not held")
    reference: str = Field(max_length=64, description="benefits' payment id")
    received_on: date = Field(description="the day collection decided the appropriation")
    paid_on: date = Field(description="the day the charges count as paid (the order's day)")


class PaymentReversed(EventContract):
    """A payment taken back (an error at the counter, a bank's correction), with its reason."""

    event_type = "jp.kokuho.collection.payment_reversed.v1"

    nhi_household_number: HouseholdNumber
    payment_id: str = Field(max_length=64)
    reason: str = Field(min_length=1, max_length=400)
    reversed_by: str = Field(min_length=1, max_length=200)
    principal: list[Applied] = Field(description="principal owed again, per instalment")
    from_held: Yen = Field(description="taken back from the overpayment held")
    effective_on: date


class Appropriated(EventContract):
    """充当: the overpayment held paid overdue principal (oldest first) and then 延滞金."""

    event_type = "jp.kokuho.collection.appropriated.v1"

    nhi_household_number: HouseholdNumber
    appropriation_id: str = Field(max_length=64)
    principal: list[Applied]
    late_charge: list[Applied]
    effective_on: date


class RefundDecided(EventContract):
    """還付: the rest of the overpayment refunded with 還付加算金 (the account is not here)."""

    event_type = "jp.kokuho.collection.refund_decided.v1"

    nhi_household_number: HouseholdNumber
    refund_id: str = Field(max_length=64)
    amount: Yen
    interest: Yen = Field(description="還付加算金")
    pieces: list[HeldPiece]
    decided_by: str = Field(min_length=1, max_length=200)
    effective_on: date


class LateChargeFixed(EventContract):
    """延滞金 fixed (確定) when an instalment was paid in full after its 納期限."""

    event_type = "jp.kokuho.collection.late_charge_fixed.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    amount: Yen
    effective_on: date


class DunningNoticeIssued(EventContract):
    """督促: a dunning notice issued for an unpaid instalment, with its 指定期限. Delinquency
    opens its case when the deadline passes unpaid."""

    event_type = "jp.kokuho.collection.dunning_notice_issued.v1"

    nhi_household_number: HouseholdNumber
    notice_id: str = Field(max_length=64)
    fiscal_year: FiscalYear
    period: Period
    outstanding: Yen
    fee: Yen = Field(description="督促手数料 (0 where the city charges none)")
    designated_deadline: date = Field(description="指定期限")
    effective_on: date = Field(description="the issue day")


class ChargeLapsed(EventContract):
    """時効 (国保法110条): the right to collect lapsed; the outstanding principal is marked for
    write-off (不納欠損)."""

    event_type = "jp.kokuho.collection.charge_lapsed.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    amount: Yen
    effective_on: date


class DirectDebitFailed(EventContract):
    """口座振替 of an instalment failed: the bank's 振替結果コード (1 資金不足, 2 取引なし,
    3 預金者の都合による振替停止, 4 預金口座振替依頼書なし, 8 委託者の都合による振替停止,
    9 その他). The instalment stays owed; an ordinary payment slip is sent. No account data."""

    event_type = "jp.kokuho.collection.direct_debit_failed.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    amount: Yen
    result_code: Literal["1", "2", "3", "4", "8", "9"]
    result: Literal[
        "insufficient_funds",
        "no_account",
        "stopped_by_payer",
        "no_mandate",
        "stopped_by_city",
        "other",
    ]
    debit_date: date = Field(description="振替日 (the instalment's 納期限)")
    effective_on: date = Field(description="the day the result file was imported")


class PensionDeductionStopped(EventContract):
    """特別徴収 of an instalment stopped by the pension insurer: the charge stays and moves to
    ordinary collection (普通徴収) with ``due_date`` and a payment slip."""

    event_type = "jp.kokuho.collection.pension_deduction_stopped.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    pension_month: int = Field(ge=1, le=12, description="the pension month not deducted")
    amount: Yen
    reason: Literal["death", "moved", "pension_stopped", "amount_changed", "other"]
    due_date: date = Field(description="納期限 of the ordinary instalment it became")
    effective_on: date


class ChargePrescriptionRenewed(EventContract):
    """時効の更新 of an instalment by an act delinquency recorded (its ``PrescriptionRenewed``:
    a plan, a seizure, its end, a distribution demand), as collection took it: the 2-year
    period (国保法110条) runs again from the day after ``effective_on``."""

    event_type = "jp.kokuho.collection.charge_prescription_renewed.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    act: Literal["plan", "seizure", "seizure_end", "distribution_demand"]
    effective_on: date


class ChargeWrittenOff(EventContract):
    """不納欠損 recorded on an instalment (delinquency's ``ArrearWrittenOff``): ``amount`` of its
    outstanding principal extinguished, never paid (0 when collection's own lapse had marked it
    already)."""

    event_type = "jp.kokuho.collection.charge_written_off.v1"

    nhi_household_number: HouseholdNumber
    fiscal_year: FiscalYear
    period: Period
    amount: Yen
    ground: Literal["prescription", "suspension_period"]
    effective_on: date


class TransferredPayment(BaseModel):
    """One payer's premiums paid in the calendar year (the payer is the householder)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nhi_household_number: HouseholdNumber
    amount: Yen = Field(description="net premium principal paid in the year (延滞金 excluded)")
    pension_deducted: Yen = Field(description="of which deducted from a pension (特別徴収)")


class TaxDeductionTransferred(EventContract):
    """移転 1 (flows.md §6): the premiums paid per payer in a calendar year, for the municipal tax
    division's 社会保険料控除, recorded by collection (C-66) with its recipient and basis, for
    linkage-gateway's transfer registry to carry. A transfer of many payers is published in
    ``parts`` events of up to 1,000 lines each (partition key: the transfer id)."""

    event_type = "jp.kokuho.collection.tax_deduction_transferred.v1"

    transfer_id: str = Field(max_length=64)
    flow_id: str = Field(max_length=64)
    recipient: str = Field(max_length=64)
    legal_basis: str = Field(max_length=200)
    method: str = Field(max_length=32)
    calendar_year: Annotated[int, Field(ge=2000, le=2100)]
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    lines: list[TransferredPayment] = Field(max_length=1000)
    effective_on: date
