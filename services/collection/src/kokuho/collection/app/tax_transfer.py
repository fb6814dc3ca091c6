"""移転 1 (flows.md §6): the premiums paid per payer in a calendar year, for the municipal tax
division's 社会保険料控除 (``domain/tax_transfer``). Once the year has ended: every ledger is
read in pages, the lines are recorded with the transfer's basis (C-66..C-70) and published as
``TaxDeductionTransferred`` on collection's topic (parts of up to 1,000 lines, stream
``tax-transfer-<year>``) for linkage-gateway's transfer registry to carry. The same year again
changes nothing (the recorded transfer is returned, ``replayed``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ports import CollectionUnitPort, TaxTransfer
from kokuho.collection.domain.errors import YearNotEnded
from kokuho.collection.domain.tax_transfer import BASIS, PART_SIZE, TransferLine, paid_in_year
from kokuho.events.contracts import collection as contracts
from kokuho.events.ports import StreamAppend

PAGE = 2000


@dataclass(frozen=True)
class TransferOutcome:
    transfer: TaxTransfer
    replayed: bool


def _parts(
    transfer: TaxTransfer, lines: list[TransferLine]
) -> list[contracts.TaxDeductionTransferred]:
    chunks = [lines[i : i + PART_SIZE] for i in range(0, len(lines), PART_SIZE)] or [[]]
    return [
        contracts.TaxDeductionTransferred(
            transfer_id=transfer.transfer_id,
            flow_id=transfer.flow_id,
            recipient=transfer.recipient,
            legal_basis=transfer.legal_basis,
            method=transfer.method,
            calendar_year=transfer.calendar_year,
            part=n,
            parts=len(chunks),
            lines=[
                contracts.TransferredPayment(
                    nhi_household_number=x.household,
                    amount=x.amount,
                    pension_deducted=x.pension_deducted,
                )
                for x in chunk
            ],
            effective_on=transfer.transferred_on,
        )
        for n, chunk in enumerate(chunks, start=1)
    ]


async def _lines(uow: CollectionUnitPort, calendar_year: int) -> list[TransferLine]:
    """Every ledger, a page at a time: what each household paid in the year."""
    lines: list[TransferLine] = []
    after = ""
    while page := await uow.ledgers.households(after, PAGE):
        loaded = await uow.ledgers.load_many(page)
        for household in page:
            line = paid_in_year(loaded[household].ledger, calendar_year)
            if line is not None:
                lines.append(line)
        after = page[-1]
    return lines


async def transfer_premiums_paid(
    uow: CollectionUnitPort, calendar_year: int, actor: str, today: date
) -> TransferOutcome:
    if calendar_year >= today.year:
        raise YearNotEnded(f"calendar year {calendar_year} has not ended on {today.isoformat()}")
    async with uow:
        found = await uow.tax_transfers.find(calendar_year)
        if found is not None:
            await uow.audit.record(
                subjects=[],
                detail={
                    "transfer_id": found.transfer_id,
                    "calendar_year": calendar_year,
                    "replayed": True,
                },
            )
            return TransferOutcome(found, replayed=True)
        lines = await _lines(uow, calendar_year)
        transfer = TaxTransfer(
            new_id("tax-transfer", calendar_year),
            calendar_year,
            BASIS.flow_id,
            BASIS.recipient,
            BASIS.legal_basis,
            BASIS.method,
            BASIS.items,
            len(lines),
            sum(x.amount for x in lines),
            actor,
            today,
        )
        await uow.tax_transfers.add(transfer, lines)
        stream = f"tax-transfer-{calendar_year}"
        await uow.events.append_batch(
            [
                StreamAppend(
                    stream,
                    0,
                    _parts(transfer, lines),
                    topic=uow.topic,
                    partition_key=transfer.transfer_id,
                )
            ]
        )
        await uow.audit.record(
            subjects=[x.household for x in lines],
            detail={
                "transfer_id": transfer.transfer_id,
                "calendar_year": calendar_year,
                "flow_id": transfer.flow_id,
                "recipient": transfer.recipient,
                "households": transfer.households,
                "total": transfer.total,
            },
        )
        return TransferOutcome(transfer, replayed=False)
