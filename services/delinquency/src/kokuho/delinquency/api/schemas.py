"""Request and response bodies of the delinquency API: closed requests, typed responses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from kokuho.platform.models import RequestModel, ResponseModel

Yen = Annotated[int, Field(ge=0, le=10_000_000_000)]
Text = Annotated[str, Field(min_length=1, max_length=400)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class PartOut(ResponseModel):
    fiscal_year: int
    period: int
    amount: int


class ArrearOut(ResponseModel):
    fiscal_year: int
    period: int
    due_date: date
    designated_deadline: date
    principal: int
    paid: int
    late_charge: int
    written_off: int
    write_off_ground: str | None
    outstanding: int
    renewals: list[date]


class PromiseOut(ResponseModel):
    promise_id: str
    kind: str
    promised_on: date
    amount: int
    obtained_on: date
    officer: str
    status: str


class InstalmentIO(RequestModel):
    due_on: date
    amount: Annotated[int, Field(gt=0, le=10_000_000_000)]


class InstalmentOut(ResponseModel):
    due_on: date
    amount: int


class PlanOut(ResponseModel):
    plan_id: str
    agreed_on: date
    instalments: list[InstalmentOut]
    officer: str
    pledge_received: bool
    previous_stage: str
    status: str
    total: int


class ReliefOut(ResponseModel):
    relief_id: str
    kind: str
    ground: str
    starts_on: date
    ends_on: date | None
    amount: int
    security_amount: int
    requested_by: str
    status: str
    decided_by: str | None
    decided_on: date | None
    ended_on: date | None


class SeizureOut(ResponseModel):
    seizure_id: str
    kind: str
    seized_on: date
    amount: int
    status: str
    released_on: date | None
    proceeds: int


class TaskOut(ResponseModel):
    task_id: str
    kind: str
    due_on: date
    reason: str
    done: bool


class SpecialCareOut(ResponseModel):
    advance_notice_on: date | None
    special_reason: str | None
    flagged_on: date | None
    withheld_on: date | None


class LetterOut(ResponseModel):
    letter_id: str
    billed_unpaid: int
    billed_late_charge: int
    pay_by: date
    issued_on: date


class CaseOut(ResponseModel):
    household: str
    status: str
    stage: str | None
    opened_on: date | None
    closed_on: date | None
    officer: str | None
    officer_group: str | None
    officer_division: str | None
    ward: str | None
    outstanding: int
    arrears: list[ArrearOut]
    promises: list[PromiseOut]
    plans: list[PlanOut]
    reliefs: list[ReliefOut]
    seizures: list[SeizureOut]
    investigations: list[str]
    tasks: list[TaskOut]
    special_care: SpecialCareOut
    negotiations: int
    reminders_stopped_on: date | None
    reminder_stop_reason: str | None
    letters: list[LetterOut]

    @classmethod
    def of(cls, case: Any) -> CaseOut:
        return cls.model_validate(case, from_attributes=True)


class HistoryOut(ResponseModel):
    version: int
    kind: str
    data: dict[str, Any]


class AssignmentIn(RequestModel):
    officer: Text
    group: Text
    division: Text
    ward: Text | None = None
    assigned_on: date


class PromiseIn(RequestModel):
    kind: Literal["payment", "home_visit", "office_visit", "callback"]
    promised_on: date
    amount: Yen = 0


class NegotiationIn(RequestModel):
    officer_group: Text
    officer_division: Text
    counterparty: Literal["self", "family", "employer", "representative", "other"]
    channel: Literal["phone", "visit", "office", "letter", "notification_center"]
    outcome: Literal["reached", "promise", "refused", "wrong_number", "absent"]
    summary: Annotated[str, Field(min_length=1, max_length=2000)]
    contacted_on: date
    promise: PromiseIn | None = None


class PlanIn(RequestModel):
    instalments: Annotated[list[InstalmentIO], Field(min_length=1, max_length=120)]
    pledge_received: bool
    agreed_on: date


class ReliefIn(RequestModel):
    kind: Literal["collection_deferral", "realization_deferral", "enforcement_suspension"]
    ground: Annotated[str, Field(min_length=1, max_length=40)]
    starts_on: date
    ends_on: date | None = None
    amount: Yen
    security_amount: Yen = 0
    reason: Text


class DecisionIn(RequestModel):
    approve: bool
    note: Annotated[str, Field(max_length=400)] = ""


class EndIn(RequestModel):
    reason: Text
    ended_on: date


class InvestigationIn(RequestModel):
    kind: Literal["bank", "employer", "real_estate", "other"]
    target: Text
    started_on: date


class AnswerIn(RequestModel):
    answer: Annotated[str, Field(min_length=1, max_length=2000)]
    found_amount: Yen = 0
    answered_on: date


class WageIn(RequestModel):
    gross: Yen
    income_tax: Yen = 0
    resident_tax: Yen = 0
    social_insurance: Yen = 0
    dependants: Annotated[int, Field(ge=0, le=20)] = 0


class CoOwnerIn(RequestModel):
    owner: Text
    numerator: Annotated[int, Field(ge=1)]
    denominator: Annotated[int, Field(ge=1)]


class SeizureIn(RequestModel):
    kind: Literal["deposit", "wage", "real_estate", "other"]
    description: Text
    amount: Yen = 0
    wage: WageIn | None = None
    debtor_share: CoOwnerIn | None = None
    co_owners: Annotated[tuple[CoOwnerIn, ...], Field(max_length=50)] = ()
    seized_on: date


class ReleaseIn(RequestModel):
    reason: Text
    released_on: date


class DemandIn(RequestModel):
    authority: Text
    amount: Yen
    demanded_on: date


class ProceedsIn(RequestModel):
    amount: Annotated[int, Field(gt=0, le=10_000_000_000)]
    received_on: date


class NoticeIn(RequestModel):
    sent_on: date


class SpecialReasonIn(RequestModel):
    reason: Literal["disaster", "theft", "illness", "business_closure", "business_loss"]
    note: Annotated[str, Field(max_length=400)] = ""
    recorded_on: date


class ReviewIn(RequestModel):
    run_on: date | None = None


class ReviewOut(ResponseModel):
    reviewed: int
    changed: int
    events: dict[str, int]


class StatisticsLineOut(ResponseModel):
    dimension: str
    key: str
    cases: int
    principal: int
    paid: int
    written_off: int
    outstanding: int
    rate_percent: str


class ActOut(ResponseModel):
    """A recorded act: its id, and the case as it left it."""

    id: str
    case: CaseOut


class CallItemOut(ResponseModel):
    household: str
    outstanding: int
    late_charge: int
    arrears: int
    oldest_due_date: date
    stage: str


class CallResultIn(RequestModel):
    household: Annotated[str, Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
    called_on: date
    outcome: Literal["reached", "promise", "refused", "wrong_number", "absent"]
    summary: Annotated[str, Field(min_length=1, max_length=2000)]
    promise: PromiseIn | None = None


class CallResultsIn(RequestModel):
    centre_group: Text
    centre_division: Text
    results: Annotated[list[CallResultIn], Field(min_length=1, max_length=5000)]


class CallResultsOut(ResponseModel):
    recorded: int


class ReminderStopIn(RequestModel):
    reason: Text
    on: date


class LetterIn(RequestModel):
    pay_by: date | None = None
