"""Income: the tax system's file (all or nothing, unless the operator applies the valid part)
and 無所得申立 (no-income declarations); both re-assess the households they touch."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from uuid import uuid4

from kokuho.assessment.app.assessing import (
    UNKNOWN_BIRTH_DATE,
    AssessOutcome,
    first_correctable_year,
    reassess_all,
)
from kokuho.assessment.app.income_facts import state_income_facts
from kokuho.assessment.app.ports import AssessmentUnitPort, ImportReceipt, ParametersFor
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import (
    BenefitFigures,
    IncomeRecord,
    ParsedIncomeFile,
    parse_income_file,
)
from kokuho.events.contracts.assessment import IncomeImportApplied
from kokuho.events.contracts.linkage_gateway import EApplicationAccepted
from kokuho.events.ports import EventContext, StreamAppend


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


class EApplicationInvalid(AssessmentError):
    """A forwarded e-application lacks what the declaration needs (retrying cannot help)."""

    def __init__(self, receipt_number: str) -> None:
        super().__init__(f"e-application {receipt_number}: no valid fiscal_year")
        self.receipt_number = receipt_number


log = logging.getLogger(__name__)

#: linkage-gateway's procedure for the no-income declaration (所得なし申告)
NO_INCOME_PROCEDURE = "NHI-NO-INCOME-DECLARATION"


@dataclass(frozen=True)
class ImportOutcome:
    receipt: ImportReceipt
    reassessed: list[AssessOutcome]
    subjects: list[str]  # whose income was written (for the audit trail)
    facts_stated: int = 0  # households stated on the income-facts topic (ADR 0045)


@dataclass(frozen=True)
class ImportIncome:
    """The tax system's income file (README "Income file format")."""

    file_name: str
    text: str
    apply_valid_part: bool
    actor: str
    today: date


async def import_income(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    command: ImportIncome,
    context: EventContext | None = None,
) -> ImportOutcome:
    """All or nothing, unless the operator applies the valid part; keeps only subjects' lines
    (C-06: the others are counted and dropped); re-assesses the households already assessed for
    the year the income belongs to and states their income facts for benefits (ADR 0045)."""
    parsed = parse_income_file(command.text)
    if parsed.refused and not command.apply_valid_part:
        raise IncomeFileRefused(parsed)
    if not parsed.records:
        raise NothingToApply()
    async with uow:
        known = await uow.incomes.subjects_among([r.addressee_number for r in parsed.records])
        kept = tuple(r for r in parsed.records if r.addressee_number in known)
        receipt = await _record_import(uow, command, parsed, kept, context)
        reassessed = await _reassess_for(uow, rules, kept, command.actor, command.today, context)
        stated = await state_income_facts(
            uow,
            rules,
            [(r.addressee_number, r.income_year) for r in kept if r.benefit_figures is not None],
            cause="income_import",
            actor=command.actor,
            today=command.today,
            context=context,
        )
        subjects = sorted({r.addressee_number for r in kept})
        await uow.audit.record(
            subjects=subjects,
            detail={
                "import_id": str(receipt.import_id),
                "applied": receipt.applied_lines,
                "discarded_non_subjects": receipt.discarded_non_subjects,
                "partial": command.apply_valid_part and bool(receipt.rejected),
            },
            status_code=201,
        )
        return ImportOutcome(receipt, reassessed, subjects, stated)


async def _record_import(
    uow: AssessmentUnitPort,
    command: ImportIncome,
    parsed: ParsedIncomeFile,
    kept: tuple[IncomeRecord, ...],
    context: EventContext | None,
) -> ImportReceipt:
    """Write the subjects' valid lines and the receipt; publish ``IncomeImportApplied`` (counts
    only)."""
    import_id = uuid4()
    actor = command.actor
    discarded = len(parsed.records) - len(kept)
    if kept:
        await uow.incomes.write_incomes(
            kept, source="tax_file", import_id=import_id, channel=None, actor=actor
        )
    rejected = [{"line": r.line, "field": r.field, "reason": r.reason} for r in parsed.refused]
    receipt = ImportReceipt(
        import_id=import_id,
        file_name=command.file_name,
        received_by=actor,
        lines=parsed.lines,
        valid_lines=len(parsed.records),
        rejected=rejected,
        status="partially_applied" if parsed.refused else "applied",
        applied_lines=len(kept),
        discarded_non_subjects=discarded,
    )
    await uow.incomes.record_import(receipt)
    years = {r.income_year for r in parsed.records}
    applied = IncomeImportApplied(
        import_id=import_id,
        income_year=next(iter(years)) if len(years) == 1 else None,
        lines=parsed.lines,
        applied=len(kept),
        rejected=len(parsed.refused),
        partial=bool(parsed.refused),
        applied_by=actor,
        discarded=discarded,
    )
    await uow.events.append_batch(
        [
            StreamAppend(
                f"income-import-{import_id}",
                0,
                [applied],
                topic=uow.topic,
                partition_key=str(import_id),
                context=context or EventContext(),
            )
        ]
    )
    return receipt


async def _reassess_for(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    records: tuple[IncomeRecord, ...] | list[IncomeRecord],
    actor: str,
    today: date,
    context: EventContext | None,
) -> list[AssessOutcome]:
    """更正 of the households already assessed for the fiscal year the income belongs to."""
    # premiums can be corrected back 2 years only (国保法110条, rules.md 4.5)
    first_year = first_correctable_year(rules, today)
    by_year: dict[int, list[str]] = {}
    for r in records:
        if r.income_year + 1 >= first_year:
            by_year.setdefault(r.income_year + 1, []).append(r.addressee_number)
    targets: list[tuple[str, int]] = []
    for fiscal_year, people in sorted(by_year.items()):
        for number in await uow.assessments.assessed_households_of(people, fiscal_year):
            targets.append((number, fiscal_year))
    return await reassess_all(
        uow,
        rules,
        targets,
        cause="income_change",
        actor=actor,
        today=today,
        context=context,
    )


@dataclass(frozen=True)
class DeclareNoIncome:
    """無所得の申立て: the person had no income in ``income_year``."""

    addressee_number: str
    income_year: int
    birth_date: date
    channel: str  # counter, mail or e_application
    actor: str
    today: date


async def record_no_income(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    command: DeclareNoIncome,
    context: EventContext | None = None,
) -> list[AssessOutcome]:
    """Record the declaration and re-assess; refused when the tax system reported income."""
    async with uow:
        number, year = command.addressee_number, command.income_year
        existing = await uow.incomes.income_source(number, year)
        if existing == "tax_file":
            current = await uow.incomes.incomes([number], year)
            recorded = current.get(number)
            if recorded is not None and recorded.income.declared:
                raise IncomeAlreadyDeclared(number, year)
        # no income: benefits' figures are known to be zero as well
        record = IncomeRecord(
            number,
            year,
            command.birth_date,
            Income(declared=True),
            "unknown",
            BenefitFigures(taxable_income=0, other_revenue=0),
        )
        await uow.incomes.write_incomes(
            [record],
            source="no_income_declaration",
            import_id=None,
            channel=command.channel,
            actor=command.actor,
        )
        outcomes = await _reassess_for(uow, rules, [record], command.actor, command.today, context)
        await state_income_facts(
            uow,
            rules,
            [(number, year)],
            cause="no_income_declaration",
            actor=command.actor,
            today=command.today,
            context=context,
        )
        return outcomes


async def declare_no_income(
    uow: AssessmentUnitPort, rules: ParametersFor, command: DeclareNoIncome
) -> list[AssessOutcome]:
    """A clerk records a declaration (counter, mail, or an e-application by hand); audited."""
    async with uow:
        outcomes = await record_no_income(uow, rules, command)
        await uow.audit.record(
            subjects=[command.addressee_number],
            detail={"channel": command.channel},
            status_code=201,
        )
        return outcomes


async def declare_from_e_application(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    event: EApplicationAccepted,
    *,
    today: date,
    context: EventContext | None = None,
) -> list[AssessOutcome]:
    """無所得申立 from an e-application linkage-gateway verified and forwarded (no individual
    number: it arrives as an addressee number). ``fiscal_year`` in the answers is the premium's
    year, so the income year is the calendar year before it. Other procedures are ignored."""
    if event.affair != "assessment" or event.procedure_code != NO_INCOME_PROCEDURE:
        return []
    if event.answers.get("no_income") is not True:
        return []  # a declaration that there was income carries nothing to record
    fiscal_year = event.answers.get("fiscal_year")
    if (
        not isinstance(fiscal_year, int)
        or isinstance(fiscal_year, bool)
        or not (2000 <= fiscal_year <= 2100)
    ):
        raise EApplicationInvalid(event.receipt_number)
    async with uow:
        birth = await uow.households.birth_date_of(event.addressee_number)
        command = DeclareNoIncome(
            addressee_number=event.addressee_number,
            income_year=fiscal_year - 1,
            birth_date=birth or UNKNOWN_BIRTH_DATE,
            channel="e_application",
            actor=f"system:e-application:{event.receipt_number}",
            today=today,
        )
        try:
            return await record_no_income(uow, rules, command, context)
        except IncomeAlreadyDeclared:
            # the tax system reported income: the declaration does not replace it (logged for
            # the clerks' follow-up by receipt number, never by person)
            log.warning(
                "no-income e-application not applied: income recorded",
                extra={"receipt_number": event.receipt_number},
            )
            return []


async def read_income(
    uow: AssessmentUnitPort, addressee_number: str, income_year: int
) -> IncomeRecord | None:
    """One person's income of a year (None: none recorded; the read is audited either way)."""
    async with uow:
        records = await uow.incomes.incomes([addressee_number], income_year)
        record = records.get(addressee_number)
        await uow.audit.record(
            subjects=[addressee_number],
            detail={"income_year": income_year, "found": record is not None},
        )
        return record


async def subjects_without_income(
    uow: AssessmentUnitPort, income_year: int, limit: int
) -> list[str]:
    """Subjects with no income of the year: whom to ask the tax system about (C-06); the
    list is audited (it names people)."""
    async with uow:
        found = await uow.incomes.subjects_without_income(income_year, limit)
        await uow.audit.record(
            subjects=found, detail={"income_year": income_year, "income_requests": len(found)}
        )
        return found
