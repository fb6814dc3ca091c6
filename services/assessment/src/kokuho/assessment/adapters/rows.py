"""Rows of assessment's tables as the application's records, and the read model's upsert
(shared by the repositories and the annual run's set-based loads)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg

from kokuho.assessment.app.ports import MemberRow, PensionRecord, StoredAssessment
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import AMOUNTS, BenefitFigures, IncomeRecord
from kokuho.assessment.domain.special_collection import Pension


async def save_assessments(conn: asyncpg.Connection, items: Sequence[StoredAssessment]) -> None:
    """Multi-row upsert of the assessment read model."""
    if not items:
        return
    await conn.executemany(
        "INSERT INTO assessments (nhi_household_number, fiscal_year, revision, assessment_id,"
        " annual_amount, statutory_reduction, reduction_exemption_amount, components,"
        " explanation, cause, assessed_by, instalments, inputs, parameters_digest, collection,"
        " notice_issued_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12::jsonb,"
        " $13::jsonb, $14, $15::jsonb, $16)"
        " ON CONFLICT (nhi_household_number, fiscal_year) DO UPDATE SET"
        " revision = EXCLUDED.revision, assessment_id = EXCLUDED.assessment_id,"
        " annual_amount = EXCLUDED.annual_amount,"
        " statutory_reduction = EXCLUDED.statutory_reduction,"
        " reduction_exemption_amount = EXCLUDED.reduction_exemption_amount,"
        " components = EXCLUDED.components, explanation = EXCLUDED.explanation,"
        " cause = EXCLUDED.cause, assessed_by = EXCLUDED.assessed_by, assessed_at = now(),"
        " instalments = EXCLUDED.instalments, inputs = EXCLUDED.inputs,"
        " parameters_digest = EXCLUDED.parameters_digest, collection = EXCLUDED.collection,"
        " notice_issued_on = EXCLUDED.notice_issued_on",
        [
            (
                a.nhi_household_number,
                a.fiscal_year,
                a.revision,
                a.assessment_id,
                a.annual_amount,
                a.statutory_reduction,
                a.reduction_exemption_amount,
                json.dumps(a.components, ensure_ascii=False),
                None if a.explanation is None else json.dumps(a.explanation, ensure_ascii=False),
                a.cause,
                a.assessed_by,
                json.dumps(a.instalments),
                json.dumps(a.inputs),
                a.parameters_digest,
                json.dumps(a.collection),
                a.notice_issued_on,
            )
            for a in items
        ],
    )


def member_row(r: asyncpg.Record) -> MemberRow:
    return MemberRow(
        addressee_number=r["addressee_number"],
        birth_date=r["birth_date"],
        insured=r["insured"],
        specified_same_household=r["specified_same_household"],
        acquisition_date=r["acquisition_date"],
        loss_date=r["loss_date"],
        former_dependant_since=r["former_dependant_since"],
        involuntary_separation_date=r["involuntary_separation_date"],
        childbirth_date=r["childbirth_date"],
        childbirth_multiple=r["childbirth_multiple"],
        care_exclusions=care_exclusions(r["care_exclusions"]),
    )


def care_exclusions(value: Any) -> tuple[tuple[date, date | None], ...]:
    """The stored 介護保険適用除外 periods, by start."""
    periods = [
        (date.fromisoformat(p["start"]), None if p["end"] is None else date.fromisoformat(p["end"]))
        for p in _json(value)
    ]
    return tuple(sorted(periods))


def income_record(r: asyncpg.Record) -> IncomeRecord:
    return IncomeRecord(
        addressee_number=r["addressee_number"],
        income_year=r["income_year"],
        birth_date=r["birth_date"],
        income=Income(declared=r["declared"], **{name: int(r[name]) for name in AMOUNTS}),
        resident_tax_status=r["resident_tax_status"],
        benefit_figures=(
            None
            if r["taxable_income"] is None
            else BenefitFigures(int(r["taxable_income"]), int(r["other_revenue"]))
        ),
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def stored_assessment(r: asyncpg.Record) -> StoredAssessment:
    return StoredAssessment(
        nhi_household_number=r["nhi_household_number"],
        fiscal_year=r["fiscal_year"],
        revision=r["revision"],
        assessment_id=r["assessment_id"],
        annual_amount=int(r["annual_amount"]),
        statutory_reduction=r["statutory_reduction"],
        reduction_exemption_amount=int(r["reduction_exemption_amount"]),
        components=_json(r["components"]),
        explanation=None if r["explanation"] is None else _json(r["explanation"]),
        cause=r["cause"],
        assessed_by=r["assessed_by"],
        instalments=_json(r["instalments"]),
        inputs=_json(r["inputs"]),
        parameters_digest=r["parameters_digest"],
        collection=_json(r["collection"]),
        notice_issued_on=r["notice_issued_on"],
    )


def pension_record(r: asyncpg.Record) -> PensionRecord:
    return PensionRecord(
        Pension(int(r["annual_amount"]), r["ltc_special_collection"], int(r["ltc_premium"])),
        int(r["previous_february_deduction"]),
    )
