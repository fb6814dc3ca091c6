"""不当利得 / 返納金 (NHI-B-58/59, SF-B15): care a person received on the NHI card after a
retroactive loss of qualification was paid by the insurer; the insurer's share (10割 − 一部負担金
of each claim, after adjustments) is claimed back from the person. One aggregate per person and
loss date, stream ``repayment-<addressee>-<loss date>``. Pure: ``decide_*`` and ``evolve``.

- Detection: the claims of the person for treatment months wholly after the loss (from the
  loss month when the loss is on the 1st, else from the month after). The loss month itself,
  when the loss is mid-month and it has claims, is named (``review_month``): the claims file
  has no treatment dates, so which days fell after the loss is the clerk's to check with the
  provider. A new detection (claims that arrived later) revises a case not yet proposed.
- Four eyes (C-11): a clerk proposes (claim the amount, possibly less with a reason, or
  withdraw with a reason); a different person (supervisor) agrees, which claims it
  (``Claimed``: the 返納金 with its due date, for collection) or withdraws it; or disagrees,
  which returns it to the clerk with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from kokuho.benefits.domain.errors import BenefitsError
from kokuho.benefits.domain.lump_sum import SamePersonReview
from kokuho.platform.staff import same_person


class RepaymentInvalid(BenefitsError):
    """The proposal or review contradicts the case (the detail names the field)."""


class RepaymentNotFound(BenefitsError):
    status = 404


class RepaymentNotOpen(BenefitsError):
    """The case is not in the state the step needs (proposed before review, ...)."""

    status = 409


@dataclass(frozen=True)
class TargetClaim:
    """NHI-B-59 対象レセプト: one claim for care after the loss."""

    claim_number: str
    treatment_month: date
    medical_cost: int
    self_pay: int

    @property
    def insurer_share(self) -> int:
        return self.medical_cost - self.self_pay


@dataclass(frozen=True)
class ClaimSeen:
    """A claim of the person as received (amounts after adjustments)."""

    claim_number: str
    treatment_month: date
    medical_cost: int
    self_pay: int


@dataclass(frozen=True)
class Detect:
    nhi_household_number: str
    addressee_number: str
    loss_date: date
    claims: tuple[ClaimSeen, ...]
    today: date


@dataclass(frozen=True)
class Propose:
    claim: bool  # True: claim ``amount``; False: withdraw the case
    amount: int | None  # None: the detected amount
    reason: str
    proposed_by: str
    today: date


@dataclass(frozen=True)
class Review:
    agree: bool
    reason: str
    reviewed_by: str
    today: date
    due_date: date


@dataclass(frozen=True)
class Detected:
    repayment_id: UUID
    nhi_household_number: str
    addressee_number: str
    loss_date: date
    claims: tuple[TargetClaim, ...]
    amount: int
    review_month: date | None
    detected_on: date


@dataclass(frozen=True)
class Proposed:
    claim: bool
    amount: int
    reason: str
    proposed_by: str
    proposed_on: date


@dataclass(frozen=True)
class Returned:
    """The second person disagreed: back to the clerk with the reason."""

    reason: str
    reviewed_by: str
    reviewed_on: date


@dataclass(frozen=True)
class Claimed:
    amount: int
    due_date: date
    reviewed_by: str
    decided_on: date


@dataclass(frozen=True)
class Withdrawn:
    reason: str
    reviewed_by: str
    decided_on: date


Event = Detected | Proposed | Returned | Claimed | Withdrawn


@dataclass(frozen=True)
class Repayment:
    repayment_id: UUID
    nhi_household_number: str
    addressee_number: str
    loss_date: date
    claims: tuple[TargetClaim, ...]
    detected_amount: int
    review_month: date | None
    detected_on: date
    status: str = "detected"  # detected | proposed | claimed | withdrawn
    amount: int = 0  # proposed, then claimed
    proposal_claims: bool = True
    reason: str = ""
    proposed_by: str | None = None
    reviewed_by: str | None = None
    decided_on: date | None = None
    due_date: date | None = None
    version: int = 0


def stream_id(addressee_number: str, loss_date: date) -> str:
    return f"repayment-{addressee_number}-{loss_date.isoformat()}"


def first_month_after(loss_date: date) -> date:
    """The first treatment month wholly after the loss."""
    month = loss_date.replace(day=1)
    if loss_date.day == 1:
        return month
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def decide_detect(state: Repayment | None, command: Detect) -> list[Event]:
    """A case for the claims after the loss; nothing when there is none, or when the same
    claims are already detected, or once a proposal is made (it then stands)."""
    start = first_month_after(command.loss_date)
    targets = tuple(
        sorted(
            (
                TargetClaim(c.claim_number, c.treatment_month, c.medical_cost, c.self_pay)
                for c in command.claims
                if c.treatment_month >= start
            ),
            key=lambda t: (t.treatment_month, t.claim_number),
        )
    )
    loss_month = command.loss_date.replace(day=1)
    review_month = (
        loss_month
        if command.loss_date.day != 1
        and any(c.treatment_month == loss_month for c in command.claims)
        else None
    )
    if not targets:
        return []
    if state is not None and (state.status != "detected" or state.claims == targets):
        return []
    return [
        Detected(
            state.repayment_id if state else uuid4(),
            command.nhi_household_number,
            command.addressee_number,
            command.loss_date,
            targets,
            sum(t.insurer_share for t in targets),
            review_month,
            command.today,
        )
    ]


def decide_propose(state: Repayment | None, command: Propose) -> list[Event]:
    if state is None:
        raise RepaymentNotFound("repayment_id: no such case")
    if state.status != "detected":
        raise RepaymentNotOpen(f"repayment_id: the case is {state.status}")
    amount = state.detected_amount if command.amount is None else command.amount
    reason = command.reason.strip()
    if command.claim and not 0 < amount <= state.detected_amount:
        raise RepaymentInvalid(
            f"/body/amount: between 1 and the detected {state.detected_amount:,} yen"
        )
    if (not command.claim or amount != state.detected_amount) and not reason:
        raise RepaymentInvalid("/body/reason: required to withdraw or to claim less")
    return [
        Proposed(
            command.claim,
            amount if command.claim else 0,
            reason,
            command.proposed_by,
            command.today,
        )
    ]


def decide_review(state: Repayment | None, command: Review) -> list[Event]:
    if state is None:
        raise RepaymentNotFound("repayment_id: no such case")
    if state.status != "proposed":
        raise RepaymentNotOpen(f"repayment_id: the case is {state.status}, not proposed")
    assert state.proposed_by is not None
    if same_person(state.proposed_by, command.reviewed_by):
        raise SamePersonReview("reviewed_by: the proposal was made by the same person")
    if not command.agree:
        if not command.reason.strip():
            raise RepaymentInvalid("/body/reason: required to return the proposal")
        return [Returned(command.reason.strip(), command.reviewed_by, command.today)]
    if not state.proposal_claims:
        return [Withdrawn(state.reason, command.reviewed_by, command.today)]
    if command.due_date <= command.today:
        raise RepaymentInvalid("/body/due_date: must be after the day of the decision")
    return [Claimed(state.amount, command.due_date, command.reviewed_by, command.today)]


def _detected(state: Repayment | None, e: Detected) -> Repayment:
    return Repayment(
        e.repayment_id,
        e.nhi_household_number,
        e.addressee_number,
        e.loss_date,
        e.claims,
        e.amount,
        e.review_month,
        e.detected_on,
        version=(state.version if state else 0) + 1,
    )


def _proposed(state: Repayment | None, e: Proposed) -> Repayment:
    assert state is not None
    return replace(
        state,
        status="proposed",
        amount=e.amount,
        proposal_claims=e.claim,
        reason=e.reason,
        proposed_by=e.proposed_by,
        version=state.version + 1,
    )


def _returned(state: Repayment | None, e: Returned) -> Repayment:
    assert state is not None
    return replace(
        state,
        status="detected",
        reason=e.reason,
        reviewed_by=e.reviewed_by,
        version=state.version + 1,
    )


def _claimed(state: Repayment | None, e: Claimed) -> Repayment:
    assert state is not None
    return replace(
        state,
        status="claimed",
        amount=e.amount,
        due_date=e.due_date,
        reviewed_by=e.reviewed_by,
        decided_on=e.decided_on,
        version=state.version + 1,
    )


def _withdrawn(state: Repayment | None, e: Withdrawn) -> Repayment:
    assert state is not None
    return replace(
        state,
        status="withdrawn",
        amount=0,
        reviewed_by=e.reviewed_by,
        decided_on=e.decided_on,
        version=state.version + 1,
    )


EVOLVE: dict[type, Callable[[Repayment | None, Event], Repayment]] = {
    Detected: _detected,  # type: ignore[dict-item]
    Proposed: _proposed,  # type: ignore[dict-item]
    Returned: _returned,  # type: ignore[dict-item]
    Claimed: _claimed,  # type: ignore[dict-item]
    Withdrawn: _withdrawn,  # type: ignore[dict-item]
}


def evolve(state: Repayment | None, event: Event) -> Repayment:
    return EVOLVE[type(event)](state, event)


def replay(events: Iterable[Event], state: Repayment | None = None) -> Repayment | None:
    for event in events:
        state = evolve(state, event)
    return state
