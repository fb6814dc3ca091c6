"""A household's balance, its charge changes (four eyes) and the settlement of its
overpayment (充当 and 還付)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from uuid import uuid4

from fastapi import APIRouter

from kokuho.collection.api.deps import (
    Clerk,
    CollectionDep,
    Household,
    ReadDep,
    Reader,
    Supervisor,
    Today,
    WriteDep,
)
from kokuho.collection.api.schemas import (
    AppliedOut,
    BalanceOut,
    ChargeChangeIn,
    ChargeChangeOut,
    SettlementIn,
    SettlementOut,
)
from kokuho.collection.app import balances, charges, settlement
from kokuho.collection.domain import charging
from kokuho.collection.domain.matching import Settle

router = APIRouter(prefix="/api/v1/households", tags=["households"])


@router.get("/{household}/balance")
async def get_balance(
    household: Household,
    user: Reader,
    ports: CollectionDep,
    read: ReadDep,
    as_of: date | None = None,
) -> BalanceOut:
    """By fiscal year and instalment, as of a day (default today)."""
    day = as_of or ports.today()
    return await read.run(
        lambda uow: balances.read_balance(uow, ports.rules, household, day),
        lambda b: BalanceOut.model_validate(asdict(b)),
    )


@router.post("/{household}/charge-changes", status_code=201)
async def enter_charge_change(
    household: Household, body: ChargeChangeIn, user: Clerk, today: Today, write: WriteDep
) -> ChargeChangeOut:
    """A charge changed by hand: pending until a second person confirms it (C-11)."""
    command = charging.EnterChargeChange(
        str(uuid4()),
        body.fiscal_year,
        body.period,
        body.amount,
        body.due_date,
        body.reason,
        user.user_id,
        today,
    )
    return await write.run(
        lambda uow: charges.enter_change(uow, household, command),
        lambda _: ChargeChangeOut(change_id=command.change_id, status="pending"),
        status_code=201,
    )


@router.post("/{household}/charge-changes/{change_id}/confirmation")
async def confirm_charge_change(
    household: Household, change_id: str, user: Clerk, today: Today, write: WriteDep
) -> ChargeChangeOut:
    """By a person other than the one who entered it (403 ``same-staff-confirming``)."""
    command = charging.ConfirmChargeChange(change_id, user.user_id, today)
    return await write.run(
        lambda uow: charges.confirm_change(uow, household, command),
        lambda _: ChargeChangeOut(change_id=change_id, status="confirmed"),
    )


@router.post("/{household}/charge-changes/{change_id}/rejection")
async def reject_charge_change(
    household: Household, change_id: str, user: Clerk, today: Today, write: WriteDep
) -> ChargeChangeOut:
    command = charging.RejectChargeChange(change_id, user.user_id, today)
    return await write.run(
        lambda uow: charges.reject_change(uow, household, command),
        lambda _: ChargeChangeOut(change_id=change_id, status="rejected"),
    )


def _settled(s: settlement.Settled) -> SettlementOut:
    a, r = s.appropriated, s.refund
    return SettlementOut(
        document_id=s.document.document_id,
        appropriated_principal=[AppliedOut.model_validate(x) for x in (a.principal if a else ())],
        appropriated_late_charge=[
            AppliedOut.model_validate(x) for x in (a.late_charge if a else ())
        ],
        refund=r.amount if r else 0,
        refund_interest=r.interest if r else 0,
    )


@router.post("/{household}/settlements", status_code=201)
async def settle_overpayment(
    household: Household,
    body: SettlementIn,
    user: Supervisor,
    ports: CollectionDep,
    write: WriteDep,
) -> SettlementOut:
    """充当 to overdue charges (oldest first) then 延滞金; the rest refunded with 還付加算金;
    the 過誤納金還付・充当通知書 at ``GET /documents/{document_id}``."""
    day = min(body.decided_on, ports.today())
    command = Settle(str(uuid4()), str(uuid4()), user.user_id, day)
    account = (
        settlement.RefundAccount(**body.refund_account.model_dump())
        if body.refund_account
        else None
    )
    return await write.run(
        lambda uow: settlement.settle(uow, ports.rules, household, command, account),
        _settled,
        status_code=201,
    )
