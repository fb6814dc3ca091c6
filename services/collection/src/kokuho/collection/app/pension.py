"""特別徴収: the deductions of ``PremiumAssessed`` become the year's charges (periods 1-6,
``domain/pension``), and the pension insurer's results file pays them (channel ``pension``)
or moves a stopped one to ordinary collection with a payment slip. A results file is applied
like a payment file: one transaction, all or nothing unless the valid part is asked for, the
same file again changes nothing."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date

from kokuho.collection.app.charges import command_from, new_id
from kokuho.collection.app.ledgers import Batch, commit_batch, open_batch
from kokuho.collection.app.line_matching import _match_line
from kokuho.collection.app.payments import ImportOutcome, PaymentFileRefused
from kokuho.collection.app.ports import CollectionUnitPort, ImportRecord, WorkItem
from kokuho.collection.domain import charging, pension
from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.collection.domain.payment_file import PaymentLine, RefusedLine
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.contracts.payment_numbers import payment_number
from kokuho.events.ports import EventContext


def charges_command(event: PremiumAssessed) -> charging.AssessCharges:
    """The assessment's instalments, or under 特別徴収 its deductions as periods 1-6."""
    command = command_from(event)
    if event.collection_method != "special" or not event.special_collection_deductions:
        return dataclasses.replace(command, collection_method="ordinary")
    instalments = [
        charging.Instalment(
            pension.period_of(d.month), pension.due_date(event.fiscal_year, d.month), d.amount
        )
        for d in event.special_collection_deductions
        if d.amount > 0
    ]
    return dataclasses.replace(command, instalments=instalments, collection_method="special")


async def apply_assessment(
    uow: CollectionUnitPort, event: PremiumAssessed, context: EventContext | None = None
) -> Ledger:
    """``charges.apply_assessment`` with the 特別徴収 deductions as charges."""
    command = charges_command(event)
    household = event.nhi_household_number
    async with uow:
        batch = await open_batch(uow, [household])
        ledger, events = batch.decide(household, lambda state: charging.assess(state, command))
        await commit_batch(uow, batch, context)
        await uow.audit.record(
            subjects=[household],
            detail={"assessment_id": command.assessment_id, "events": len(events)},
        )
        return ledger


@dataclass(frozen=True)
class ImportPensionResults:
    file_name: str
    text: str
    apply_valid_part: bool
    actor: str
    today: date


def _slip(line: pension.PensionLine, import_id: str, today: date, due: date) -> WorkItem:
    number = payment_number(line.fiscal_year, line.household, line.period)
    return WorkItem(
        new_id("slip", "pension", line.reference),
        "slip",
        f"pension deduction stopped ({line.reason}): send a payment slip for {number},"
        f" due {due.isoformat()}",
        line.household,
        line.amount,
        line.reference,
        today,
        import_id,
        line.line,
    )


def _apply_lines(
    batch: Batch,
    valid: list[pension.PensionLine],
    rules: CollectionRules,
    command: ImportPensionResults,
    import_id: str,
) -> tuple[list[WorkItem], int]:
    """Deductions paid through the matching, stops moved to ordinary collection."""
    items: list[WorkItem] = []
    applied = 0
    for line in valid:
        if line.result == "deducted" or batch.ledger(line.household) is None:
            paid = PaymentLine(
                line.line,
                line.fiscal_year,
                line.household,
                line.period,
                line.amount,
                line.deducted_on or command.today,
                "pension",
                line.reference,
            )
            found = _match_line(batch, paid, rules, command.today, import_id)
            if line.result == "stopped":  # a stop is no money: nothing to receive elsewhere
                found = [dataclasses.replace(i, channel=None, paid_on=None) for i in found]
            items += found
            applied += line.result == "deducted" and not any(
                i.kind in ("unmatched", "duplicate") for i in found
            )
            continue
        ledger = batch.ledger(line.household)
        assert ledger is not None
        stopped = pension.stop(ledger, line, import_id, command.actor, command.today)
        if stopped is not None:
            due, events = stopped
            batch.apply(line.household, events)
            items.append(_slip(line, import_id, command.today, due))
            applied += 1
    return items, applied


async def import_results(
    uow: CollectionUnitPort, rules: CollectionRules, command: ImportPensionResults
) -> ImportOutcome:
    sha256 = hashlib.sha256(command.text.encode("utf-8")).hexdigest()
    async with uow:
        existing = await uow.imports.find(sha256)
        if existing is not None:
            await uow.audit.record(
                subjects=[], detail={"import_id": existing.import_id, "replayed": True}
            )
            return ImportOutcome(existing, replayed=True)
        count, valid, bad = pension.parse(command.text, command.today)
        refused = [RefusedLine(r.line, r.field, r.reason) for r in bad]
        if refused and not command.apply_valid_part:
            raise PaymentFileRefused(refused, count)
        import_id = new_id("import", sha256)
        batch = await open_batch(uow, [line.household for line in valid])
        items, applied = _apply_lines(batch, valid, rules, command, import_id)
        await commit_batch(uow, batch)
        await uow.work_items.add_many(items)
        record = ImportRecord(
            import_id,
            sha256,
            command.file_name,
            count,
            applied,
            len(refused),
            len(items),
            bool(refused),
            command.actor,
            command.today,
            [{"line": r.line, "field": r.field, "reason": r.reason} for r in refused],
        )
        await uow.imports.add(record)
        await uow.audit.record(
            subjects=sorted(batch.changed),
            detail={"import_id": import_id, "lines": count, "refused": len(refused)},
        )
        return ImportOutcome(record, replayed=False)
