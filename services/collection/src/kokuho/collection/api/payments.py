"""Payments: the payment file, counter payments and reversals."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.collection.api.deps import (
    Clerk,
    CollectionDep,
    Household,
    Operator,
    Supervisor,
    Today,
    WriteDep,
)
from kokuho.collection.api.schemas import (
    AppliedOut,
    CounterPaymentIn,
    PaymentImportIn,
    PaymentImportOut,
    PaymentOut,
    RefusedLineOut,
    ReversalIn,
)
from kokuho.collection.app import counter_payments, payments
from kokuho.collection.domain.matching import ReversePayment
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["payments"])


def _import_out(outcome: payments.ImportOutcome) -> PaymentImportOut:
    r = outcome.record
    return PaymentImportOut(
        import_id=r.import_id,
        file_name=r.file_name,
        lines=r.lines,
        applied=r.applied,
        refused=r.refused,
        work_items=r.work_items,
        partial=r.partial,
        imported_by=r.imported_by,
        imported_on=r.imported_on,
        replayed=outcome.replayed,
        refused_lines=[RefusedLineOut.model_validate(x) for x in r.refused_lines],
    )


@router.post("/payment-imports", status_code=201)
async def import_payments(
    body: PaymentImportIn, user: Operator, ports: CollectionDep, write: WriteDep
) -> PaymentImportOut:
    """Import a bank or convenience-store payment file (README "Payment file format").

    A refused line refuses the file (422 naming every line and reason; nothing applied)
    unless ``apply_valid_part`` is true. The same file again answers its first import (200,
    ``replayed``) and changes nothing."""
    command = payments.ImportPayments(
        body.file_name, body.content, body.apply_valid_part, user.user_id, ports.today()
    )
    try:
        return await write.run(
            lambda uow: payments.import_payments(uow, ports.rules, command, ports.matcher),
            _import_out,
            status_code=lambda o: 200 if o.replayed else 201,
        )
    except payments.PaymentFileRefused as refused:
        raise Problem(
            422,
            "payment-file-refused",
            detail=str(refused),
            errors=[
                FieldError(
                    pointer=f"/body/content/line/{r.line}",
                    reason=f"{r.field}: {r.reason}" if r.field else r.reason,
                )
                for r in refused.refused[:1000]
            ],
        ) from None


def _payment_out(received: counter_payments.Received) -> PaymentOut:
    p = received.payment
    return PaymentOut(
        payment_id=p.payment_id,
        amount=p.amount,
        channel=p.channel,
        applied=[AppliedOut.model_validate(a) for a in p.applied],
        late_charge_applied=[AppliedOut.model_validate(a) for a in p.late_charge_applied],
        overpaid=p.overpaid,
    )


@router.post("/households/{household}/payments", status_code=201)
async def pay_at_counter(
    household: Household,
    body: CounterPaymentIn,
    user: Clerk,
    ports: CollectionDep,
    write: WriteDep,
) -> PaymentOut:
    """Cash at the counter with its receipt number (the same receipt twice is 409)."""
    command = counter_payments.CounterPayment(
        household,
        body.amount,
        body.fiscal_year,
        body.period,
        body.receipt_number,
        body.paid_on,
        user.user_id,
        ports.today(),
    )
    return await write.run(
        lambda uow: counter_payments.receive_at_counter(uow, ports.rules, command),
        _payment_out,
        status_code=201,
    )


@router.post("/households/{household}/payments/{payment_id}/reversal")
async def reverse_payment(
    household: Household,
    payment_id: str,
    body: ReversalIn,
    user: Supervisor,
    today: Today,
    write: WriteDep,
) -> dict[str, str]:
    """Take a payment back with its reason (C-24); what it paid is owed again."""
    command = ReversePayment(payment_id, body.reason, user.user_id, min(body.reversed_on, today))
    await write.run(
        lambda uow: counter_payments.reverse_payment(uow, household, command), lambda _: None
    )
    return {"payment_id": payment_id, "status": "reversed"}
