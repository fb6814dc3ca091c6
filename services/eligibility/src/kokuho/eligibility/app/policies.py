"""Policies: eligibility reacting to other services' events.

linkage-gateway's staff confirm differences between the federation's daily 資格継続 file and
our records (C-20, C-21). Eligibility does not apply them blindly: each becomes a pending ex
officio correction (C-24) that an eligibility clerk confirms (C-11). A person we do not know
at all is kept for review at the counter."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.changes import EnterChange, enter_change
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.domain import errors as e
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
