"""Erasure of a person's details (C-95) under four eyes (C-11): one supervisor requests it with
a reason, another confirms it; only then are the details erased. The rules are checked at the
request and again at the confirmation (time may have passed, the person may have moved in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain.rules import QualificationRules, erasable_from
from kokuho.platform.staff import same_person


@dataclass(frozen=True)
class ErasureRequest:
    request_id: str
    addressee_number: str
    reason: str
    requested_by: str
    requested_at: datetime
    status: str = "pending"  # pending -> confirmed | rejected
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Standing:
    """What the erasure rules need to know of the person."""

    insured: bool
    last_loss: date | None
    #: The household the person heads (a deemed householder 擬制世帯主 included) while it has
    #: insured members: notices are addressed to them, so their details stay.
    heads_household: str | None


def check_erasable(
    addressee_number: str, standing: Standing, today: date, rules: QualificationRules
) -> None:
    if standing.insured:
        raise e.PersonStillInsured(addressee_number)
    if standing.heads_household is not None:
        raise e.PersonHeadsAHousehold(addressee_number, standing.heads_household)
    if standing.last_loss is not None:
        until = erasable_from(standing.last_loss, rules)
        if today < until:
            raise e.RetentionNotOver(addressee_number, until)


def request(
    pending: ErasureRequest | None,
    *,
    request_id: str,
    addressee_number: str,
    reason: str,
    user_id: str,
    at: datetime,
) -> ErasureRequest:
    if pending is not None:
        raise e.ErasureAlreadyRequested(addressee_number, pending.request_id)
    if not reason.strip():
        raise e.ErasureReasonMissing()
    return ErasureRequest(request_id, addressee_number, reason, user_id, at)


def decide(
    pending: ErasureRequest | None,
    addressee_number: str,
    *,
    confirm: bool,
    user_id: str,
    at: datetime,
) -> ErasureRequest:
    """The pending request confirmed or rejected by another person than its requester."""
    if pending is None:
        raise e.NoErasureRequested(addressee_number)
    if same_person(user_id, pending.requested_by):
        raise e.SelfConfirmationRefused(f"erasure {pending.request_id}", user_id)
    status = "confirmed" if confirm else "rejected"
    return ErasureRequest(
        pending.request_id,
        pending.addressee_number,
        pending.reason,
        pending.requested_by,
        pending.requested_at,
        status,
        user_id,
        at,
    )
