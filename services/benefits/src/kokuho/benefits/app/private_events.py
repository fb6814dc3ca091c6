"""Events kept inside benefits (never published: no topic): the 返納金 case's steps, which list
the claims (health data), and the 高額介護合算療養費 application. Only the public contracts of
``kokuho.events.contracts.benefits`` travel on a topic."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from kokuho.events.contracts.benefits import AddresseeNumber, HouseholdNumber
from kokuho.events.contracts.registry import EventContract


class RepaymentTargetClaim(BaseModel):
    """NHI-B-59 対象レセプト of a 返納金 case (kept in benefits' event store: private event)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_number: str = Field(pattern=r"^[0-9A-Z]{1,20}$")
    treatment_month: date
    medical_cost: int = Field(ge=0)
    self_pay: int = Field(ge=0)


class RepaymentDetected(EventContract):
    """不当利得: claims for care after a retroactive loss of qualification were found.
    **Private** (benefits' event store only: it lists claims, health data)."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.repayment_detected.v1"

    repayment_id: UUID
    nhi_household_number: HouseholdNumber
    addressee_number: AddresseeNumber
    loss_date: date
    claims: list[RepaymentTargetClaim]
    amount: int = Field(gt=0, description="the insurer's share of the claims, yen")
    review_month: date | None = Field(description="the mid-month loss month, for the clerk")
    detected_on: date


class RepaymentProposed(EventContract):
    """The clerk's proposal (first pair of eyes). **Private**."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.repayment_proposed.v1"

    repayment_id: UUID
    claim: bool = Field(description="claim the amount (true) or withdraw the case")
    amount: int = Field(ge=0)
    reason: str = Field(max_length=500)
    proposed_by: str = Field(min_length=1, max_length=200)
    proposed_on: date


class RepaymentReviewed(EventContract):
    """The second person's review (C-11): ``outcome`` returned (to the clerk), withdrawn, or
    claimed (then ``RepaymentClaimed`` follows). **Private**."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.repayment_reviewed.v1"

    repayment_id: UUID
    outcome: Literal["returned", "withdrawn", "claimed"]
    reason: str = Field(max_length=500)
    reviewed_by: str = Field(min_length=1, max_length=200)
    reviewed_on: date


class CombinedCareApplied(EventContract):
    """高額介護合算療養費 applied for (first pair of eyes). **Private**: benefits' event store only
    (the calculation with each member's self-pays stays in benefits' database)."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.combined_care_applied.v1"

    application_id: UUID
    nhi_household_number: HouseholdNumber
    base_date: date
    entered_by: str = Field(min_length=1, max_length=200)
    applied_on: date
