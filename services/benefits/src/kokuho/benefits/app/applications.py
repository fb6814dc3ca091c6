"""What the use cases of an application reviewed by four eyes share (葬祭費 / 出産育児一時金 in
:mod:`.lump_sums`, 療養費 / 特別療養費 in :mod:`.medical_expenses`; the lifecycle itself is
``domain/application_review``): appending its events to its stream on benefits' topic (keyed by
the household) and keeping a withheld payment for the release (rules.md §4.6)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from kokuho.benefits.app.ports import BenefitsUnitPort
from kokuho.benefits.domain.application_review import PaymentOrdered, PaymentWithheld
from kokuho.benefits.domain.withholding import WithheldPayment
from kokuho.events.contracts.registry import EventContract
from kokuho.events.ports import StreamAppend


async def append(
    uow: BenefitsUnitPort,
    stream_id: str,
    household: str,
    before: int,
    contracts: Sequence[EventContract],
) -> None:
    await uow.events.append_batch(
        [StreamAppend(stream_id, before, list(contracts), topic=uow.topic, partition_key=household)]
    )


async def keep_withheld(
    uow: BenefitsUnitPort,
    events: Sequence[object],
    *,
    stream_id: str,
    benefit_kind: str,
    household: str,
    application_id: UUID,
) -> PaymentOrdered | None:
    """Keep each withheld payment for the release; the payment ordered, if any."""
    for e in events:
        if isinstance(e, PaymentWithheld):
            await uow.withholdings.add_payment(
                WithheldPayment(
                    stream_id,
                    benefit_kind,
                    household,
                    application_id,
                    None,
                    e.amount,
                    e.withheld_on,
                )
            )
    return next((e for e in events if isinstance(e, PaymentOrdered)), None)
