"""Income: the tax system's file (all or nothing, unless the operator applies the valid part)
and 無所得申立 (no-income declarations); both re-assess the households they touch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import uuid4

from kokuho.assessment.app.assessing import (
    AssessOutcome,
    ParametersFor,
    first_correctable_year,
    reassess_all,
)
from kokuho.assessment.app.ports import AssessmentStore, ImportReceipt
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import IncomeRecord, ParsedIncomeFile, parse_income_file
from kokuho.events.contracts.assessment import EVENTS_TOPIC, IncomeImportApplied
from kokuho.events.runtime.store import EventContext, EventStore, StreamAppend


class IncomeFileRefused(AssessmentError):
    """The file has refused lines and the operator did not choose to apply the valid part."""

    slug = "income-file-refused"

    def __init__(self, parsed: ParsedIncomeFile) -> None:
        super().__init__(f"{len(parsed.refused)} of {parsed.lines} lines refused; nothing applied")
        self.parsed = parsed


class NothingToApply(AssessmentError):
    slug = "nothing-to-apply"

    def __init__(self) -> None:
        super().__init__("no valid line to apply")


class IncomeAlreadyDeclared(AssessmentError):
    """A 無所得申立 cannot replace income the tax system reported."""

    slug = "income-already-declared"

    def __init__(self, addressee_number: str, income_year: int) -> None:
        super().__init__(f"{addressee_number} has taxed income recorded for {income_year}")
        self.addressee_number = addressee_number
        self.income_year = income_year


@dataclass(frozen=True)
class ImportOutcome:
    receipt: ImportReceipt
    reassessed: list[AssessOutcome]
    subjects: list[str]  # whose income was written (for the audit trail)


async def import_income(
    store: AssessmentStore,
    events: EventStore,
    parameters_for: ParametersFor,
    *,
    file_name: str,
    text: str,
    apply_valid_part: bool,
    actor: str,
    today: date,
    context: EventContext | None = None,
) -> ImportOutcome:
    parsed = parse_income_file(text)
    if parsed.refused and not apply_valid_part:
        raise IncomeFileRefused(parsed)
    if not parsed.records:
        raise NothingToApply()
    import_id = uuid4()
    await store.write_incomes(
        parsed.records, source="tax_file", import_id=import_id, channel=None, actor=actor
    )
    rejected = [{"line": r.line, "field": r.field, "reason": r.reason} for r in parsed.refused]
    receipt = ImportReceipt(
        import_id=import_id,
        file_name=file_name,
        received_by=actor,
        lines=parsed.lines,
        valid_lines=len(parsed.records),
        rejected=rejected,
        status="partially_applied" if parsed.refused else "applied",
        applied_lines=len(parsed.records),
    )
    await store.record_import(receipt)
    years = {r.income_year for r in parsed.records}
    await events.append_batch(
        [
            StreamAppend(
                f"income-import-{import_id}",
                0,
                [
                    IncomeImportApplied(
                        import_id=import_id,
                        income_year=next(iter(years)) if len(years) == 1 else None,
                        lines=parsed.lines,
                        applied=len(parsed.records),
                        rejected=len(parsed.refused),
                        partial=bool(parsed.refused),
                        applied_by=actor,
                    )
                ],
                topic=EVENTS_TOPIC,
                partition_key=str(import_id),
                context=context or EventContext(),
            )
        ]
    )
    reassessed = await _reassess_for(
        store, events, parameters_for, parsed.records, actor, today, context
    )
    return ImportOutcome(receipt, reassessed, sorted({r.addressee_number for r in parsed.records}))


async def _reassess_for(
    store: AssessmentStore,
    events: EventStore,
    parameters_for: ParametersFor,
    records: tuple[IncomeRecord, ...] | list[IncomeRecord],
    actor: str,
    today: date,
    context: EventContext | None,
) -> list[AssessOutcome]:
    """更正 of the households already assessed for the fiscal year the income belongs to."""
    # premiums can be corrected back 2 years only (国保法110条, rules.md 4.5)
    first_year = first_correctable_year(parameters_for, today)
    by_year: dict[int, list[str]] = {}
    for r in records:
        if r.income_year + 1 >= first_year:
            by_year.setdefault(r.income_year + 1, []).append(r.addressee_number)
    targets: list[tuple[str, int]] = []
    for fiscal_year, people in sorted(by_year.items()):
        for number in await store.assessed_households_of(people, fiscal_year):
            targets.append((number, fiscal_year))
    return await reassess_all(
        store,
        events,
        parameters_for,
        targets,
        cause="income_change",
        actor=actor,
        today=today,
        context=context,
    )


async def declare_no_income(
    store: AssessmentStore,
    events: EventStore,
    parameters_for: ParametersFor,
    *,
    addressee_number: str,
    income_year: int,
    birth_date: date,
    channel: str,
    actor: str,
    today: date,
    context: EventContext | None = None,
) -> list[AssessOutcome]:
    """無所得の申立て: the person had no income in ``income_year``."""
    existing = await store.income_source(addressee_number, income_year)
    if existing == "tax_file":
        current = await store.incomes([addressee_number], income_year)
        record = current.get(addressee_number)
        if record is not None and record.income.declared:
            raise IncomeAlreadyDeclared(addressee_number, income_year)
    record = IncomeRecord(
        addressee_number, income_year, birth_date, Income(declared=True), "unknown"
    )
    await store.write_incomes(
        [record], source="no_income_declaration", import_id=None, channel=channel, actor=actor
    )
    return await _reassess_for(store, events, parameters_for, [record], actor, today, context)
