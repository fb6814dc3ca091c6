"""過誤納金: the overpayment a household holds appropriated (充当) to its overdue charges and
延滞金, the rest refunded with 還付加算金, and the 過誤納金還付・充当通知書 kept as a document to
print. The refund account (NHI-C-21) stays in this service's database, never on a topic."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.ports import CollectionUnitPort, Document
from kokuho.collection.domain import matching
from kokuho.collection.domain.errors import HouseholdNotFound
from kokuho.collection.domain.ledger import Appropriated, Ledger, RefundDecided
from kokuho.collection.domain.parameters import CollectionRules


@dataclass(frozen=True)
class RefundAccount:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str


@dataclass(frozen=True)
class Settled:
    ledger: Ledger
    appropriated: Appropriated | None
    refund: RefundDecided | None
    document: Document


def _content(
    household: str,
    appropriated: Appropriated | None,
    refund: RefundDecided | None,
    account: RefundAccount | None,
) -> dict[str, Any]:
    def items(rows: Any) -> list[dict[str, int]]:
        return [asdict(a) for a in rows]

    return {
        "household": household,
        "principal": items(appropriated.principal) if appropriated else [],
        "late_charge": items(appropriated.late_charge) if appropriated else [],
        "refund": refund.amount if refund else 0,
        "interest": refund.interest if refund else 0,
        "pieces": [[d.isoformat(), y] for d, y in refund.pieces] if refund else [],
        "account": asdict(account) if account and refund else None,
    }


async def settle(
    uow: CollectionUnitPort,
    rules: CollectionRules,
    household: str,
    command: matching.Settle,
    account: RefundAccount | None,
) -> Settled:
    async with uow:
        batch = await open_batch(uow, [household])
        if batch.ledger(household) is None:
            raise HouseholdNotFound(f"no charges for household {household}")
        ledger, events = batch.decide(household, lambda s: matching.settle(s, command, rules))
        appropriated = next((e for e in events if isinstance(e, Appropriated)), None)
        refund = next((e for e in events if isinstance(e, RefundDecided)), None)
        document = Document(
            new_id("refund-notice", command.refund_id),
            "refund_appropriation_notice",
            household,
            command.on,
            _content(household, appropriated, refund, account),
        )
        await commit_batch(uow, batch)
        await uow.documents.add_many([document])
        await uow.audit.record(
            subjects=[household],
            detail={"refund_id": command.refund_id, "refund": refund.amount if refund else 0},
        )
        return Settled(ledger, appropriated, refund, document)


async def read_document(uow: CollectionUnitPort, document_id: str) -> Document | None:
    async with uow:
        document = await uow.documents.get(document_id)
        await uow.audit.record(
            subjects=[document.household] if document else [],
            detail={"document_id": document_id, "found": document is not None},
        )
        return document
