"""Bodies of the claims import, the 高額療養費 application, decisions and the monthly run."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from kokuho.benefits.app.claims import ClaimsReceipt
from kokuho.benefits.app.ports import MonthlyRunStatus, PayeeAccount
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.claims import Claim
from kokuho.platform.auth import StaffUser
from kokuho.platform.models import RequestModel, ResponseModel
from kokuho.platform.names import PersonNameKana

NUMBER10 = r"^[0-9]{10}$"
MONTH = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"  # 2000-01 .. 2099-12


class ClaimImportIn(RequestModel):
    file_name: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, description="the KKH-RZP file (README, Claims file)")


class ClaimImportOut(ResponseModel):
    import_id: UUID
    processing_month: str
    claims: int
    adjustments: int
    households: int

    @classmethod
    def of(cls, r: ClaimsReceipt) -> ClaimImportOut:
        return cls(
            import_id=r.import_id,
            processing_month=f"{r.processing_month:%Y-%m}",
            claims=r.claims,
            adjustments=r.adjustments,
            households=r.households,
        )


class ClaimOut(ResponseModel):
    claim_number: str
    treatment_month: str
    addressee_number: str
    age_band: str
    provider: str
    setting: str
    kind: str
    prescriber: str | None
    treatment_days: int
    points: int
    medical_cost: int
    self_pay: int

    @classmethod
    def of(cls, c: Claim) -> ClaimOut:
        return cls(
            claim_number=c.claim_number,
            treatment_month=f"{c.treatment_month:%Y-%m}",
            addressee_number=c.addressee_number,
            age_band=c.age_band.value,
            provider=c.provider,
            setting=c.setting.value,
            kind=c.kind.value,
            prescriber=c.prescriber,
            treatment_days=c.treatment_days,
            points=c.points,
            medical_cost=c.medical_cost,
            self_pay=c.self_pay,
        )


class HighCostApplicationIn(RequestModel):
    """申請: the household's payee account; it stands for later months (申請簡素化)."""

    nhi_household_number: str = Field(pattern=NUMBER10, description="国保世帯番号")
    payee_addressee_number: str = Field(pattern=NUMBER10, description="the payee (世帯主)")
    bank_code: str = Field(pattern=r"^[0-9]{4}$")
    branch_code: str = Field(pattern=r"^[0-9]{3}$")
    account_type: Literal["ordinary", "current"]
    account_number: str = Field(pattern=r"^[0-9]{7}$")
    holder_kana: PersonNameKana

    def payee(self, user: StaffUser, today: date) -> PayeeAccount:
        return PayeeAccount(**self.model_dump(), applied_on=today, applied_by=user.user_id)


class PaymentOut(ResponseModel):
    payment_id: UUID
    decision_id: UUID
    treatment_month: str
    amount: int
    payment_date: date

    @classmethod
    def of(cls, p: hc.PaymentOrdered) -> PaymentOut:
        return cls(
            payment_id=p.payment_id,
            decision_id=p.decision_id,
            treatment_month=f"{p.treatment_month:%Y-%m}",
            amount=p.amount,
            payment_date=p.payment_date,
        )


class HighCostApplicationOut(ResponseModel):
    nhi_household_number: str
    payee_addressee_number: str
    payments: list[PaymentOut]


class PersonShareOut(ResponseModel):
    addressee_number: str
    self_pay: int
    benefit: int


class LimitOut(ResponseModel):
    name: str
    formula: str
    amount: int


class HighCostDecisionOut(ResponseModel):
    decision_id: UUID
    nhi_household_number: str
    treatment_month: str
    revision: int
    benefit: int
    paid: int
    prompted: bool
    self_pay_total: int
    household_borne: int
    many_times: bool
    counts_for_many_times: bool
    under_70_category: str | None
    elderly_category: str | None
    claims: int
    persons: list[PersonShareOut]
    limits: list[LimitOut]
    payments: list[PaymentOut]
    decided_by: str
    decided_on: date

    @classmethod
    def of(cls, found: tuple[hc.HighCostDecision, list[hc.PaymentOrdered]]) -> Any:
        d, payments = found
        o = d.outcome
        return cls(
            decision_id=d.decision_id,
            nhi_household_number=d.nhi_household_number,
            treatment_month=f"{d.treatment_month:%Y-%m}",
            revision=d.revision,
            benefit=o.benefit,
            paid=d.paid,
            prompted=d.prompted,
            self_pay_total=o.self_pay_total,
            household_borne=o.household_borne,
            many_times=o.many_times,
            counts_for_many_times=o.counts_for_many_times,
            under_70_category=d.under_70_category.value if d.under_70_category else None,
            elderly_category=d.elderly_category.value if d.elderly_category else None,
            claims=d.claims,
            persons=[
                PersonShareOut(addressee_number=p, self_pay=s, benefit=b) for p, s, b in o.persons
            ],
            limits=[LimitOut(name=n, formula=f, amount=a) for n, f, a in o.limits],
            payments=[PaymentOut.of(p) for p in payments],
            decided_by=d.decided_by,
            decided_on=d.decided_on,
        )


class MonthlyRunIn(RequestModel):
    treatment_month: str = Field(pattern=MONTH, description="診療月 YYYY-MM")
    payment_date: date | None = Field(None, description="default: 14 days from today")


class MonthlyRunOut(ResponseModel):
    run_id: UUID
    treatment_month: str
    status: str
    payment_date: date
    started_by: str
    counts: dict[str, int]
    held: list[dict[str, str]]

    @classmethod
    def of(cls, s: MonthlyRunStatus) -> MonthlyRunOut:
        return cls(
            run_id=s.run_id,
            treatment_month=f"{s.treatment_month:%Y-%m}",
            status=s.status,
            payment_date=s.payment_date,
            started_by=s.started_by,
            counts=dict(s.counts),
            held=[dict(h) for h in s.held[:1000]],
        )
