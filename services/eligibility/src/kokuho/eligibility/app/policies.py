"""Policies: eligibility reacting to other services' events.

linkage-gateway's staff confirm differences between the federation's daily 資格継続 file and
our records (C-20, C-21). Eligibility does not apply them blindly: each becomes a pending ex
officio correction (C-24) that an eligibility clerk confirms (C-11). A person we do not know
at all is kept for review at the counter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.changes import EnterChange, enter_change
from kokuho.eligibility.app.direct import act
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort, Units
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.events.contracts.benefits import CopaymentRateDecided
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed

FEDERATION_CLERK = "linkage-gateway"


@dataclass(frozen=True)
class PolicyOutcome:
    action: str  # "pending-correction" | "review" | "already-equal"
    change_id: UUID | None = None


def _correction(
    event: FederationDifferenceConfirmed, period: tuple[str, str, str | None]
) -> rq.CorrectionIn:
    _, acquisition_reason, loss_reason = period
    return rq.CorrectionIn(
        acquisition_date=event.federation_acquisition_date,
        acquisition_reason=acquisition_reason,  # type: ignore[arg-type]
        loss_date=event.federation_loss_date,
        loss_reason=(loss_reason or "other") if event.federation_loss_date else None,  # type: ignore[arg-type]
        reason_code="federation_difference",
        reason=(
            f"国保連合会 資格継続ファイル {event.file_date} との差異"
            f" (linkage-gateway {event.confirmed_by} 確認済)"
        ),
    )


async def on_federation_difference(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    event: FederationDifferenceConfirmed,
    event_id: UUID,
) -> PolicyOutcome:
    async with uow:
        period = await uow.qualifications.latest_period(event.addressee_number)
        if event.kind == "unknown-to-us" or period is None:
            await uow.records.federation_review(event_id, event, None)
            return PolicyOutcome("review")
        cmd = EnterChange(
            "correct_qualification",
            _correction(event, period),
            user_id=f"{FEDERATION_CLERK}:{event.confirmed_by}",
            household_number=period[0],
            addressee_number=event.addressee_number,
        )
        try:
            change = await enter_change(uow, ports, cmd)
        except e.NothingChanged:
            return PolicyOutcome("already-equal")
        await uow.records.federation_review(event_id, event, change.change_id)
        return PolicyOutcome("pending-correction", change.change_id)


async def on_copayment_rate_decided(
    units: Units, ports: Eligibility, event: CopaymentRateDecided
) -> list[str]:
    """Benefits decided a household's 70-74 rate on its income: record it for each member it
    names who is insured in that household (a member who moved since keeps the rate of the new
    household's decision). The actor is benefits' decider (C-24). Returns who got it."""
    if event.copayment_rate_percent is None:
        return []
    applied = []
    for addressee in event.addressee_numbers:
        async with units() as uow:
            household = await uow.qualifications.active_household_of(addressee)
        if household != event.nhi_household_number:
            continue
        command = c.ApplyCopaymentDecision(
            addressee, event.copayment_rate_percent // 10, event.effective_from, event.effective_to
        )
        try:
            await act(units(), ports, household, command, "copayment_rate", _actor(event))
        except (e.NothingChanged, e.NotInAgeBand):
            continue  # recorded already, or not (yet) in the band in that period
        applied.append(addressee)
    return applied


def _actor(event: CopaymentRateDecided) -> str:
    return f"benefits:{event.decided_by}"


DELINQUENCY = "delinquency"


async def on_special_care(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    household: str,
    flagged: bool,
    effective_on: date,
) -> str:
    """Delinquency flagged (or cleared) the household for 特別療養費: recorded on it, so its
    next 資格確認書 says so. Already so: nothing changes; a household unknown here is refused
    (to the dead-letter topic, never dropped)."""
    command = c.RecordSpecialCare(flagged, effective_on)
    try:
        await act(uow, ports, household, command, "special_care", f"system:{DELINQUENCY}")
    except e.NothingChanged:
        return "unchanged"
    return "flagged" if flagged else "cleared"
