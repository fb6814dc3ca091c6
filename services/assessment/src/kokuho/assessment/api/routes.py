"""Assessment routes: income, assessments with their explanation, 減免, what-if."""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Response

from kokuho.assessment.adapters.notice_pdf import render_notice
from kokuho.assessment.adapters.postgres import PostgresAssessmentStore
from kokuho.assessment.api.context import SOURCE, ServiceDep
from kokuho.assessment.api.schemas import (
    AnnualRunOut,
    AssessIn,
    AssessmentOut,
    CollectionMethodRequestIn,
    CollectionMethodRequestOut,
    DecisionIn,
    IncomeImportIn,
    IncomeImportOut,
    IncomeOut,
    NoIncomeDeclarationIn,
    NoIncomeDeclarationOut,
    PensionIn,
    PensionOut,
    ReassessedOut,
    ReductionExemptionIn,
    ReductionExemptionOut,
    RefusedLineOut,
    WhatIfIn,
    WhatIfOut,
)
from kokuho.assessment.app import assessing, income, reductions
from kokuho.assessment.app.assessing import AssessmentNotFound, AssessOutcome
from kokuho.assessment.app.ports import PensionRecord, StoredAssessment
from kokuho.assessment.domain.household import Childbirth, Household, Income, Person
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.reduction_exemption import ReductionExemption
from kokuho.assessment.domain.special_collection import (
    Pension,
    decide_special_collection,
    deductions,
)
from kokuho.events.runtime.store import PostgresEventStore
from kokuho.platform.audit import AuditTrail
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.idempotency import IdempotencyDep
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["assessment"])

CLERKS = ("assessment.clerk", "assessment.supervisor")
IMPORTERS = ("batch.operator", "assessment.clerk")
ASSESSORS = ("assessment.clerk", "batch.operator")
READERS = ("assessment.clerk", "assessment.supervisor", "auditor")

Household_ = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
Addressee_ = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="宛名番号")]
Year_ = Annotated[int, Path(ge=2000, le=2100)]


def assessment_out(a: StoredAssessment, explanation: dict[str, Any] | None = None) -> AssessmentOut:
    return AssessmentOut(
        nhi_household_number=a.nhi_household_number,
        fiscal_year=a.fiscal_year,
        revision=a.revision,
        assessment_id=a.assessment_id,
        annual_amount=a.annual_amount,
        statutory_reduction=a.statutory_reduction,
        reduction_exemption_amount=a.reduction_exemption_amount,
        cause=a.cause,
        components=a.components,
        instalments=a.instalments,
        explanation=explanation or a.explanation or {},
        collection=a.collection,
    )


def reassessed(outcomes: list[AssessOutcome]) -> list[ReassessedOut]:
    return [
        ReassessedOut(
            nhi_household_number=o.assessment.nhi_household_number,
            fiscal_year=o.assessment.fiscal_year,
            revision=o.assessment.revision,
            annual_amount=o.assessment.annual_amount,
            changed=o.changed,
        )
        for o in outcomes
    ]


# --- income ------------------------------------------------------------------------------


@router.post("/income-imports", status_code=201)
async def import_income(
    body: IncomeImportIn,
    user: Annotated[StaffUser, require_roles(*IMPORTERS)],
    service: ServiceDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> IncomeImportOut:
    """Import the tax system's income file (CSV, README "Income file format").

    A file with a refused line is answered 422 with every line number and reason and changes
    nothing, unless ``apply_valid_part`` is true: then the valid lines are applied and the
    refused ones recorded with the import."""
    try:
        async with service.pool().acquire() as conn, conn.transaction():
            await idem.begin(conn)
            outcome = await income.import_income(
                PostgresAssessmentStore(conn),
                PostgresEventStore(conn, source=SOURCE),
                service.parameters_for,
                file_name=body.file_name,
                text=body.content,
                apply_valid_part=body.apply_valid_part,
                actor=user.user_id,
                today=service.today(),
            )
            receipt = outcome.receipt
            out = IncomeImportOut(
                import_id=receipt.import_id,
                status=receipt.status,  # type: ignore[arg-type]
                lines=receipt.lines,
                applied=receipt.applied_lines,
                rejected=[RefusedLineOut(**r) for r in receipt.rejected],
                reassessed=reassessed(outcome.reassessed),
            )
            await audit.record(
                subjects=outcome.subjects,
                detail={
                    "import_id": str(receipt.import_id),
                    "applied": receipt.applied_lines,
                    "partial": body.apply_valid_part and bool(receipt.rejected),
                },
                status_code=201,
                conn=conn,
            )
            await idem.complete(conn, out, status_code=201)
        return out
    except income.IncomeFileRefused as refused:
        raise Problem(
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
        ) from None


@router.post("/no-income-declarations", status_code=201)
async def declare_no_income(
    body: NoIncomeDeclarationIn,
    user: Annotated[StaffUser, require_roles("assessment.clerk")],
    service: ServiceDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> NoIncomeDeclarationOut:
    """無所得の申立て from the counter, by mail, or as an e-application forwarded by
    linkage-gateway."""
    async with service.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        outcomes = await income.declare_no_income(
            PostgresAssessmentStore(conn),
            PostgresEventStore(conn, source=SOURCE),
            service.parameters_for,
            addressee_number=body.addressee_number,
            income_year=body.income_year,
            birth_date=body.birth_date,
            channel=body.channel,
            actor=user.user_id,
            today=service.today(),
        )
        out = NoIncomeDeclarationOut(
            addressee_number=body.addressee_number,
            income_year=body.income_year,
            reassessed=reassessed(outcomes),
        )
        await audit.record(
            subjects=[body.addressee_number],
            detail={"channel": body.channel},
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, out, status_code=201)
    return out


@router.get("/incomes/{addressee_number}/{income_year}")
async def get_income(
    addressee_number: Addressee_,
    income_year: Year_,
    user: Annotated[StaffUser, require_roles(*READERS)],
    service: ServiceDep,
    audit: AuditTrail,
) -> IncomeOut:
    async with service.pool().acquire() as conn:
        records = await PostgresAssessmentStore(conn).incomes([addressee_number], income_year)
    record = records.get(addressee_number)
    await audit.record(
        subjects=[addressee_number],
        detail={"income_year": income_year, "found": record is not None},
    )
    if record is None:
        raise Problem(404, "income-not-found", detail="no income recorded for that year")
    i = record.income
    return IncomeOut(
        addressee_number=addressee_number,
        income_year=income_year,
        declared=i.declared,
        salary_revenue=i.salary_revenue,
        salary_income=i.salary_income,
        pension_revenue=i.pension_revenue,
        pension_income=i.pension_income,
        other_income=i.other_income,
        family_employee_deduction=i.family_employee_deduction,
        transfer_special_deduction=i.transfer_special_deduction,
        fixed_asset_tax=i.fixed_asset_tax,
        resident_tax_status=record.resident_tax_status,
    )


# --- assessments -------------------------------------------------------------------------


@router.post("/assessments", status_code=201)
async def assess(
    body: AssessIn,
    response: Response,
    user: Annotated[StaffUser, require_roles(*ASSESSORS)],
    service: ServiceDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> AssessmentOut:
    """Assess (or re-assess) a household for a fiscal year. 201 with a new revision when the
    premium changed (``PremiumAssessed`` is published), 200 with the current one otherwise."""
    async with service.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        store = PostgresAssessmentStore(conn)
        outcome = await assessing.assess_household(
            store,
            PostgresEventStore(conn, source=SOURCE),
            service.parameters_for,
            nhi_household_number=body.nhi_household_number,
            fiscal_year=body.fiscal_year,
            cause="request",
            actor=user.user_id,
            today=service.today(),
        )
        row = await store.load_household(body.nhi_household_number)
        subjects = assessing.people_of(row) if row else []
        status = 201 if outcome.changed else 200
        out = assessment_out(outcome.assessment)
        await audit.record(
            subjects=subjects,
            detail={"fiscal_year": body.fiscal_year, "revision": outcome.assessment.revision},
            status_code=status,
            conn=conn,
        )
        await idem.complete(conn, out, status_code=status)
    response.status_code = status
    return out


# --- 特別徴収 -------------------------------------------------------------------------------


@router.post("/pensions", status_code=201)
async def record_pension(
    body: PensionIn,
    user: Annotated[StaffUser, require_roles(*IMPORTERS)],
    service: ServiceDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> PensionOut:
    """Record a person's pension for a fiscal year (NHI-A-24..26); the households already
    assessed for that year are re-assessed, deciding 特別徴収 by rules.md 2.6."""
    async with service.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        store = PostgresAssessmentStore(conn)
        await store.write_pension(
            body.addressee_number,
            body.fiscal_year,
            PensionRecord(
                Pension(body.annual_amount, body.ltc_special_collection, body.ltc_premium),
                body.previous_february_deduction,
            ),
            actor=user.user_id,
        )
        households = await store.assessed_households_of([body.addressee_number], body.fiscal_year)
        outcomes = await assessing.reassess_all(
            store,
            PostgresEventStore(conn, source=SOURCE),
            service.parameters_for,
            [(n, body.fiscal_year) for n in households],
            cause="request",
            actor=user.user_id,
            today=service.today(),
        )
        out = PensionOut(
            addressee_number=body.addressee_number,
            fiscal_year=body.fiscal_year,
            reassessed=reassessed(outcomes),
        )
        await audit.record(
            subjects=[body.addressee_number],
            detail={"pension": True, "fiscal_year": body.fiscal_year},
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, out, status_code=201)
    return out


@router.post("/collection-method-requests", status_code=201)
async def request_collection_method(
    body: CollectionMethodRequestIn,
    user: Annotated[StaffUser, require_roles("assessment.clerk")],
    service: ServiceDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> CollectionMethodRequestOut:
    """The householder asks for 普通徴収 (口座振替) instead of 特別徴収, or back; recorded and
    the year's assessment re-assessed (a correction event when the method changes)."""
    async with service.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        store = PostgresAssessmentStore(conn)
        row = await store.load_household(body.nhi_household_number)
        if row is None:
            raise assessing.HouseholdUnknown(body.nhi_household_number)
        await store.write_method_request(
            body.nhi_household_number,
            body.fiscal_year,
            body.method,
            body.reason,
            actor=user.user_id,
        )
        assessed = await store.load_assessment(body.nhi_household_number, body.fiscal_year)
        outcomes = await assessing.reassess_all(
            store,
            PostgresEventStore(conn, source=SOURCE),
            service.parameters_for,
            [(body.nhi_household_number, body.fiscal_year)] if assessed else [],
            cause="request",
            actor=user.user_id,
            today=service.today(),
        )
        out = CollectionMethodRequestOut(
            nhi_household_number=body.nhi_household_number,
            fiscal_year=body.fiscal_year,
            method=body.method,
            reassessed=reassessed(outcomes),
        )
        await audit.record(
            subjects=assessing.people_of(row),
            detail={"collection_method": body.method, "fiscal_year": body.fiscal_year},
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, out, status_code=201)
    return out


@router.get("/households/{nhi_household_number}/assessments/{fiscal_year}")
async def get_assessment(
    nhi_household_number: Household_,
    fiscal_year: Year_,
    user: Annotated[StaffUser, require_roles(*READERS)],
    service: ServiceDep,
    audit: AuditTrail,
) -> AssessmentOut:
    """The current assessment with its explanation (per member and component: base, rate,
    each reduction, the cap)."""
    async with service.pool().acquire() as conn:
        store = PostgresAssessmentStore(conn)
        stored = await store.load_assessment(nhi_household_number, fiscal_year)
        row = await store.load_household(nhi_household_number)
    await audit.record(
        subjects=assessing.people_of(row) if row else [],
        detail={
            "nhi_household_number": nhi_household_number,
            "fiscal_year": fiscal_year,
            "found": stored is not None,
        },
    )
    if stored is None:
        raise AssessmentNotFound(nhi_household_number, fiscal_year)
    return assessment_out(stored, assessing.explain_stored(stored, service.parameters_for))


# --- 減免 ---------------------------------------------------------------------------------


def exemption_out(
    a: ReductionExemption, stored: StoredAssessment | None = None
) -> ReductionExemptionOut:
    return ReductionExemptionOut(
        application_id=a.application_id,
        nhi_household_number=a.nhi_household_number,
        fiscal_year=a.fiscal_year,
        reason_code=a.reason_code,
        reason=a.reason,
        ratio_percent=a.ratio_percent,
        status=a.status,
        entered_by=a.entered_by,
        decided_by=a.decided_by,
        decision_reason=a.decision_reason,
        assessment=assessment_out(stored) if stored else None,
    )


@router.post("/reduction-exemptions", status_code=201)
async def apply_reduction_exemption(
    body: ReductionExemptionIn,
    user: Annotated[StaffUser, require_roles("assessment.clerk")],
    service: ServiceDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ReductionExemptionOut:
    """Enter a 減免 application; a supervisor other than the clerk decides it (C-11)."""
    async with service.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        store = PostgresAssessmentStore(conn)
        application = await reductions.enter_application(
            store,
            nhi_household_number=body.nhi_household_number,
            fiscal_year=body.fiscal_year,
            reason_code=body.reason_code,
            reason=body.reason,
            ratio_percent=body.ratio_percent,
            actor=user.user_id,
        )
        row = await store.load_household(body.nhi_household_number)
        out = exemption_out(application)
        await audit.record(
            subjects=assessing.people_of(row) if row else [],
            detail={"application_id": str(application.application_id)},
            status_code=201,
            conn=conn,
        )
        await idem.complete(conn, out, status_code=201)
    return out


@router.post("/reduction-exemptions/{application_id}/decision")
async def decide_reduction_exemption(
    application_id: UUID,
    body: DecisionIn,
    user: Annotated[StaffUser, require_roles("assessment.supervisor")],
    service: ServiceDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ReductionExemptionOut:
    """Approve or reject with a reason (C-24); the decider must not be the clerk who entered
    it (C-11). An approval re-assesses the household."""
    async with service.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        store = PostgresAssessmentStore(conn)
        decided, outcome = await reductions.decide_application(
            store,
            PostgresEventStore(conn, source=SOURCE),
            service.parameters_for,
            application_id=application_id,
            approve=body.approve,
            reason=body.reason,
            actor=user.user_id,
            today=service.today(),
        )
        row = await store.load_household(decided.nhi_household_number)
        out = exemption_out(decided, outcome.assessment if outcome else None)
        await audit.record(
            subjects=assessing.people_of(row) if row else [],
            detail={"application_id": str(application_id), "approved": body.approve},
            conn=conn,
        )
        await idem.complete(conn, out)
    return out


@router.get("/reduction-exemptions/{application_id}")
async def get_reduction_exemption(
    application_id: UUID,
    user: Annotated[StaffUser, require_roles(*READERS)],
    service: ServiceDep,
    audit: AuditTrail,
) -> ReductionExemptionOut:
    async with service.pool().acquire() as conn:
        store = PostgresAssessmentStore(conn)
        application = await store.load_reduction_exemption(application_id)
        row = await store.load_household(application.nhi_household_number) if application else None
    await audit.record(
        subjects=assessing.people_of(row) if row else [],
        detail={"application_id": str(application_id)},
    )
    if application is None:
        raise reductions.ApplicationNotFound(application_id)
    return exemption_out(application)


# --- what-if (保険料試算) -------------------------------------------------------------------


def what_if_household(body: WhatIfIn) -> Household:
    labels = [p.label for p in body.people]
    if body.householder not in labels:
        raise Problem(
            422,
            "householder-not-listed",
            detail="householder must be one of the people",
            errors=[FieldError(pointer="/body/householder", reason="not among people")],
        )
    people = tuple(
        Person(
            addressee_number=p.label,
            birth_date=p.birth_date,
            income=Income(**p.income.model_dump()),
            insured=p.insured,
            acquisition_date=p.acquisition_date,
            loss_date=p.loss_date,
            specified_same_household=p.specified_same_household,
            former_dependant_since=p.former_dependant_since,
            childbirth=Childbirth(p.childbirth_date, p.childbirth_multiple)
            if p.childbirth_date
            else None,
            involuntary_separation_date=p.involuntary_separation_date,
        )
        for p in body.people
    )
    return Household("what-if", body.householder, people, body.specified_household_since)


def premium_calculation(body: WhatIfIn, params: PremiumParameters) -> WhatIfOut:
    """The what-if result for a described household (shared by the endpoint and the CLI)."""
    household = what_if_household(body)
    computed = assessing.compute(household, params)
    special: dict[str, Any] | None = None
    if body.pension is not None:
        pension = Pension(
            body.pension.annual_amount,
            body.pension.ltc_special_collection,
            body.pension.ltc_premium,
        )
        decision = decide_special_collection(
            household, params, computed.annual_amount, pension, body.pension.requested_ordinary
        )
        special = {
            "applies": decision.applies,
            "reasons": list(decision.reasons),
            "deductions": [
                {"month": d.month, "kind": d.kind, "amount": d.amount}
                for d in deductions(computed.annual_amount, body.pension.previous_february, params)
            ]
            if decision.applies
            else [],
        }
    return WhatIfOut(
        fiscal_year=body.fiscal_year,
        annual_amount=computed.annual_amount,
        statutory_reduction=computed.statutory_reduction,
        components=computed.components,
        explanation=computed.explanation or {},
        special_collection=special,
    )


@router.post("/premium-calculations")
async def calculate_premium(
    body: WhatIfIn,
    user: Annotated[StaffUser, require_roles("assessment.clerk", "assessment.supervisor")],
    service: ServiceDep,
) -> WhatIfOut:
    """保険料試算: the premium and its explanation for a described household, touching no
    stored data (labels, never names)."""
    return premium_calculation(body, service.parameters_for(body.fiscal_year))


@router.get(
    "/households/{nhi_household_number}/assessments/{fiscal_year}/notice",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the notice as PDF"}},
)
async def get_notice(
    nhi_household_number: Household_,
    fiscal_year: Year_,
    user: Annotated[StaffUser, require_roles("assessment.clerk", "assessment.supervisor")],
    service: ServiceDep,
    audit: AuditTrail,
) -> Response:
    """The premium notice (納入通知書), or the correction notice after a re-assessment, as a
    Japanese PDF with the instalment table and the explanation."""
    async with service.pool().acquire() as conn:
        store = PostgresAssessmentStore(conn)
        stored = await store.load_assessment(nhi_household_number, fiscal_year)
        row = await store.load_household(nhi_household_number)
    await audit.record(
        subjects=assessing.people_of(row) if row else [],
        detail={"notice": True, "fiscal_year": fiscal_year, "found": stored is not None},
    )
    if stored is None or row is None:
        raise AssessmentNotFound(nhi_household_number, fiscal_year)
    explanation = assessing.explain_stored(stored, service.parameters_for)
    pdf = render_notice(stored, explanation, row.householder_addressee_number, service.today())
    return Response(content=pdf, media_type="application/pdf")


@router.get("/annual-runs/{fiscal_year}")
async def get_annual_run(
    fiscal_year: Year_,
    user: Annotated[StaffUser, require_roles("batch.operator", "assessment.supervisor", "auditor")],
    service: ServiceDep,
) -> AnnualRunOut:
    """The latest annual run (本算定) of a fiscal year: its progress while it runs (started with
    ``python -m kokuho.assessment annual-run``) and its summary when finished."""
    async with service.pool().acquire() as conn:
        row = await conn.fetchrow(
            "SELECT * FROM annual_runs WHERE fiscal_year = $1 ORDER BY started_at DESC LIMIT 1",
            fiscal_year,
        )
    if row is None:
        raise Problem(404, "annual-run-not-found", detail=f"no annual run for {fiscal_year}")
    return AnnualRunOut(
        run_id=row["run_id"],
        fiscal_year=row["fiscal_year"],
        status=row["status"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        started_by=row["started_by"],
        households=row["households"],
        assessed=row["assessed"],
        unchanged=row["unchanged"],
        refused=json.loads(row["refused"]),
        totals=json.loads(row["totals"]),
        statutory_reductions=json.loads(row["reductions"]),
    )
