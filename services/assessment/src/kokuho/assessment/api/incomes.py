"""Income: the tax system's file, 無所得申立, one person's income."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.assessment.api.deps import (
    Addressee,
    AssessmentDep,
    Clerk,
    FiscalYear,
    Importer,
    ReadDep,
    Reader,
    WriteDep,
)
from kokuho.assessment.api.outputs import import_out, income_out, reassessed
from kokuho.assessment.api.schemas import (
    IncomeImportIn,
    IncomeImportOut,
    IncomeOut,
    IncomeRequestsOut,
    NoIncomeDeclarationIn,
    NoIncomeDeclarationOut,
)
from kokuho.assessment.app import income
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["assessment"])


def refused_file(refused: income.IncomeFileRefused) -> Problem:
    return Problem(
        422,
        "income-file-refused",
        detail=str(refused),
        errors=[
            FieldError(
                pointer=f"/body/content/line/{r.line}",
                reason=f"{r.field}: {r.reason}" if r.field else r.reason,
            )
            for r in refused.parsed.refused[:1000]
        ],
    )


@router.post("/income-imports", status_code=201)
async def import_income(
    body: IncomeImportIn, user: Importer, ports: AssessmentDep, write: WriteDep
) -> IncomeImportOut:
    """Import the tax system's income file (CSV, README "Income file format").

    A file with a refused line is answered 422 with every line number and reason and changes
    nothing, unless ``apply_valid_part`` is true: then the valid lines are applied and the
    refused ones recorded with the import."""
    command = income.ImportIncome(
        file_name=body.file_name,
        text=body.content,
        apply_valid_part=body.apply_valid_part,
        actor=user.user_id,
        today=ports.today(),
    )
    try:
        return await write.run(
            lambda uow: income.import_income(uow, ports.rules, command),
            import_out,
            status_code=201,
        )
    except income.IncomeFileRefused as refused:
        raise refused_file(refused) from None


@router.post("/no-income-declarations", status_code=201)
async def declare_no_income(
    body: NoIncomeDeclarationIn, user: Clerk, ports: AssessmentDep, write: WriteDep
) -> NoIncomeDeclarationOut:
    """無所得の申立て from the counter, by mail, or as an e-application forwarded by
    linkage-gateway."""
    command = income.DeclareNoIncome(
        addressee_number=body.addressee_number,
        income_year=body.income_year,
        birth_date=body.birth_date,
        channel=body.channel,
        actor=user.user_id,
        today=ports.today(),
    )
    return await write.run(
        lambda uow: income.declare_no_income(uow, ports.rules, command),
        lambda outcomes: NoIncomeDeclarationOut(
            addressee_number=body.addressee_number,
            income_year=body.income_year,
            reassessed=reassessed(outcomes),
        ),
        status_code=201,
    )


@router.get("/incomes/{addressee_number}/{income_year}")
async def get_income(
    addressee_number: Addressee, income_year: FiscalYear, user: Reader, read: ReadDep
) -> IncomeOut:
    record = await read.run(
        lambda uow: income.read_income(uow, addressee_number, income_year), lambda r: r
    )
    if record is None:
        raise Problem(404, "income-not-found", detail="no income recorded for that year")
    return income_out(record)


@router.get("/income-requests/{income_year}")
async def income_requests(
    income_year: FiscalYear, user: Importer, read: ReadDep
) -> IncomeRequestsOut:
    """Subjects (members and householders known now) with no income of ``income_year``
    recorded: people who became subjects after the year's file, to ask the tax system about
    again (C-06). The first 10,000, by addressee number."""
    limit = 10_000
    found = await read.run(
        lambda uow: income.subjects_without_income(uow, income_year, limit + 1), lambda r: r
    )
    return IncomeRequestsOut(
        income_year=income_year,
        addressee_numbers=found[:limit],
        truncated=len(found) > limit,
    )
