"""Request and response bodies of the collection API: closed requests, typed responses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from kokuho.platform.models import FileContent, RequestModel, ResponseModel

Yen = Annotated[int, Field(ge=0)]


class PaymentImportIn(RequestModel):
    file_name: str = Field(min_length=1, max_length=200)
    # the parser checks every line (an individual number is refused with its line, C-19)
    content: Annotated[str, FileContent] = Field(
        max_length=60_000_000, description="the payment file (README: Payment file format)"
    )
    apply_valid_part: bool = Field(
        default=False, description="apply the valid lines although some were refused"
    )


class RefusedLineOut(ResponseModel):
    line: int
    field: str | None
    reason: str


class PaymentImportOut(ResponseModel):
    import_id: str
    file_name: str
    lines: int
    applied: int
    refused: int
    work_items: int
    partial: bool
    imported_by: str
    imported_on: date
    replayed: bool
    refused_lines: list[RefusedLineOut]


class CounterPaymentIn(RequestModel):
    amount: int = Field(gt=0, le=100_000_000)
    receipt_number: str = Field(pattern=r"^[A-Za-z0-9-]{1,32}$", description="領収証書番号")
    paid_on: date
    fiscal_year: int | None = Field(default=None, ge=2000, le=2100)
    period: int | None = Field(default=None, ge=1, le=12)


class AppliedOut(ResponseModel):
    fiscal_year: int
    period: int
    amount: int


class PaymentOut(ResponseModel):
    payment_id: str
    amount: int
    channel: str
    applied: list[AppliedOut]
    late_charge_applied: list[AppliedOut]
    overpaid: int


class ReversalIn(RequestModel):
    reason: str = Field(min_length=1, max_length=400)
    reversed_on: date


class ChargeChangeIn(RequestModel):
    fiscal_year: int = Field(ge=2000, le=2100)
    period: int = Field(ge=1, le=12)
    amount: Yen = Field(le=100_000_000)
    due_date: date | None = Field(default=None, description="required for a new instalment")
    reason: str = Field(min_length=1, max_length=400, description="C-24")


class ChargeChangeOut(ResponseModel):
    change_id: str
    status: Literal["pending", "confirmed", "rejected"]


class RefundAccountIn(RequestModel):
    bank_code: str = Field(pattern=r"^[0-9]{4}$")
    branch_code: str = Field(pattern=r"^[0-9]{3}$")
    account_type: Literal["ordinary", "current", "savings"]
    account_number: str = Field(pattern=r"^[0-9]{7}$")
    holder_kana: str = Field(min_length=1, max_length=30, description="口座名義 (カナ)")


class SettlementIn(RequestModel):
    decided_on: date
    refund_account: RefundAccountIn | None = None


class SettlementOut(ResponseModel):
    document_id: str
    appropriated_principal: list[AppliedOut]
    appropriated_late_charge: list[AppliedOut]
    refund: int
    refund_interest: int


class InstalmentBalanceOut(ResponseModel):
    fiscal_year: int
    period: int
    due_date: date
    charged: int
    paid: int
    outstanding: int
    overdue: int
    late_charge: int
    late_charge_paid: int
    written_off: int
    dunned_on: date | None
    designated_deadline: date | None
    lapses_on: date
    written_off_on: date | None = None


class BalanceOut(ResponseModel):
    household: str
    as_of: date
    instalments: list[InstalmentBalanceOut]
    received: int
    refundable: int
    refunded: int


class WorkItemOut(ResponseModel):
    item_id: str
    kind: str
    reason: str
    household: str | None
    amount: int
    reference: str
    created_on: date
    import_id: str | None
    line: int | None
    channel: str | None = Field(default=None, description="the payment's, when it carries one")
    paid_on: date | None = None
    resolved: bool = False


class ResolutionIn(RequestModel):
    action: Literal["assign", "refund", "close"] = Field(
        description="assign (unmatched, duplicate) to a household; refund (over-payment,"
        " no-charge: settled; unmatched, duplicate: returned); close (any) with the reason"
    )
    reason: str = Field(min_length=1, max_length=400, description="C-24")
    household: str | None = Field(
        default=None, pattern=r"^[0-9]{10}$", description="assign: the household it goes to"
    )
    fiscal_year: int | None = Field(default=None, ge=2000, le=2100)
    period: int | None = Field(default=None, ge=1, le=12)


class ResolutionOut(ResponseModel):
    resolution_id: str
    item_id: str
    action: str
    reason: str
    household: str | None
    fiscal_year: int | None
    period: int | None
    status: Literal["pending", "confirmed", "rejected", "closed"]
    entered_by: str
    entered_on: date
    decided_by: str | None
    decided_on: date | None
    outcome: str | None
    new_work_items: list[str] = Field(
        default_factory=list, description="what an assignment left over (over-payment)"
    )


class WorkItemDetailOut(ResponseModel):
    item: WorkItemOut
    resolutions: list[ResolutionOut]


class TaxTransferIn(RequestModel):
    year: int = Field(ge=2000, le=2100, description="the calendar year (ended)")


class TaxTransferOut(ResponseModel):
    transfer_id: str
    calendar_year: int
    flow_id: str
    recipient: str
    legal_basis: str
    method: str
    items: list[str]
    households: int
    total: int
    transferred_by: str
    transferred_on: date
    replayed: bool


class JobIn(RequestModel):
    run_on: date | None = Field(default=None, description="the day to run as (default today)")


class JobOut(ResponseModel):
    households: int
    items: int
    documents: list[str]


class DebitRegistrationIn(RequestModel):
    """The 口座振替依頼書 as keyed in."""

    bank_code: str = Field(pattern=r"^[0-9]{4}$", description="金融機関コード")
    branch_code: str = Field(pattern=r"^[0-9]{3}$", description="支店コード")
    account_type: Literal["ordinary", "current", "tax_reserve"]
    account_number: str = Field(pattern=r"^[0-9]{7}$", description="口座番号")
    holder: str = Field(min_length=1, max_length=60, description="口座名義 (カナ, 全角も可)")


class DebitRegistrationOut(ResponseModel):
    registration_id: str
    status: str
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_number_last4: str
    holder_kana: str


class DebitRequestIn(RequestModel):
    debit_on: date = Field(description="振替日 (the instalments' 納期限)")


class DebitRequestOut(ResponseModel):
    request_id: str
    debit_on: date
    count: int
    total: int
    encoding: str
    content: str = Field(description="the Zengin file: encode with `encoding` for the bank")
    replayed: bool


class DebitFileIn(RequestModel):
    file_name: str = Field(min_length=1, max_length=200)
    content: Annotated[str, FileContent] = Field(
        max_length=60_000_000, description="the bank's result file as text (README)"
    )
    apply_valid_part: bool = False
