"""PostgreSQL implementation of :class:`AssessmentStore` on the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.assessment.app.ports import (
    HouseholdRow,
    ImportReceipt,
    MemberRow,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import AMOUNTS, IncomeRecord
from kokuho.assessment.domain.reduction_exemption import ReductionExemption
from kokuho.assessment.domain.special_collection import Pension

INCOME_COLUMNS = (
    "addressee_number",
    "income_year",
    "birth_date",
    "declared",
    *AMOUNTS,
    "resident_tax_status",
    "source",
    "import_id",
    "declaration_channel",
    "updated_by",
)


class PostgresAssessmentStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    # --- households --------------------------------------------------------------------

    async def load_household(self, nhi_household_number: str) -> HouseholdRow | None:
        head = await self.conn.fetchrow(
            "SELECT * FROM households WHERE nhi_household_number = $1", nhi_household_number
        )
        if head is None:
            return None
        rows = await self.conn.fetch(
            "SELECT * FROM household_members WHERE nhi_household_number = $1"
            " ORDER BY addressee_number",
            nhi_household_number,
        )
        return HouseholdRow(
            nhi_household_number=nhi_household_number,
            householder_addressee_number=head["householder_addressee_number"],
            deemed_householder=head["deemed_householder"],
            specified_household_since=head["specified_household_since"],
            members=tuple(member_row(r) for r in rows),
        )

    # --- income ------------------------------------------------------------------------

    async def incomes(
        self, addressee_numbers: Sequence[str], income_year: int
    ) -> dict[str, IncomeRecord]:
        rows = await self.conn.fetch(
            "SELECT * FROM incomes WHERE addressee_number = ANY($1::text[]) AND income_year = $2",
            list(addressee_numbers),
            income_year,
        )
        return {r["addressee_number"]: income_record(r) for r in rows}

    async def income_source(self, addressee_number: str, income_year: int) -> str | None:
        value = await self.conn.fetchval(
            "SELECT source FROM incomes WHERE addressee_number = $1 AND income_year = $2",
            addressee_number,
            income_year,
        )
        return None if value is None else str(value)

    async def write_incomes(
        self,
        records: Sequence[IncomeRecord],
        *,
        source: str,
        import_id: UUID | None,
        channel: str | None,
        actor: str,
    ) -> None:
        """One COPY into a temporary table, then one upsert: no per-row round trip."""
        await self.conn.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_incomes"
            " (LIKE incomes INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        await self.conn.execute("TRUNCATE incoming_incomes")
        await self.conn.copy_records_to_table(
            "incoming_incomes",
            columns=list(INCOME_COLUMNS),
            records=[
                (
                    r.addressee_number,
                    r.income_year,
                    r.birth_date,
                    r.income.declared,
                    *(getattr(r.income, name) for name in AMOUNTS),
                    r.resident_tax_status,
                    source,
                    import_id,
                    channel,
                    actor,
                )
                for r in records
            ],
        )
        updates = ", ".join(
            f"{c} = EXCLUDED.{c}"
            for c in INCOME_COLUMNS
            if c not in ("addressee_number", "income_year")
        )
        columns = ", ".join(INCOME_COLUMNS)
        # C-24: the row a correction replaces goes to income_history first (only when a
        # figure differs: a repeated file adds nothing)
        facts = ("birth_date", "declared", *AMOUNTS, "resident_tax_status", "source")
        await self.conn.execute(
            f"INSERT INTO income_history ({columns}, updated_at, replaced_by)"  # noqa: S608
            f" SELECT {', '.join('i.' + c for c in INCOME_COLUMNS)}, i.updated_at, $1"
            " FROM incomes i JOIN incoming_incomes n USING (addressee_number, income_year)"
            f" WHERE ({', '.join('i.' + c for c in facts)})"
            f" IS DISTINCT FROM ({', '.join('n.' + c for c in facts)})",
            actor,
        )
        await self.conn.execute(
            f"INSERT INTO incomes ({columns}) SELECT {columns} FROM incoming_incomes"  # noqa: S608
            f" ON CONFLICT (addressee_number, income_year) DO UPDATE SET {updates},"
            " updated_at = now()"
        )

    async def record_import(self, receipt: ImportReceipt) -> None:
        await self.conn.execute(
            "INSERT INTO income_imports (import_id, file_name, received_by, lines, valid_lines,"
            " rejected, status, applied_lines) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)",
            receipt.import_id,
            receipt.file_name,
            receipt.received_by,
            receipt.lines,
            receipt.valid_lines,
            json.dumps(receipt.rejected, ensure_ascii=False),
            receipt.status,
            receipt.applied_lines,
        )

    # --- assessments -------------------------------------------------------------------

    async def load_assessment(
        self, nhi_household_number: str, fiscal_year: int
    ) -> StoredAssessment | None:
        r = await self.conn.fetchrow(
            "SELECT * FROM assessments WHERE nhi_household_number = $1 AND fiscal_year = $2",
            nhi_household_number,
            fiscal_year,
        )
        return None if r is None else stored_assessment(r)

    async def save_assessment(self, a: StoredAssessment) -> None:
        await save_assessments(self.conn, [a])

    async def pension(self, addressee_number: str, fiscal_year: int) -> PensionRecord | None:
        r = await self.conn.fetchrow(
            "SELECT * FROM pensions WHERE addressee_number = $1 AND fiscal_year = $2",
            addressee_number,
            fiscal_year,
        )
        if r is None:
            return None
        return PensionRecord(
            Pension(int(r["annual_amount"]), r["ltc_special_collection"], int(r["ltc_premium"])),
            int(r["previous_february_deduction"]),
        )

    async def write_pension(
        self, addressee_number: str, fiscal_year: int, record: PensionRecord, *, actor: str
    ) -> None:
        await self.conn.execute(
            "INSERT INTO pensions (addressee_number, fiscal_year, annual_amount,"
            " ltc_special_collection, ltc_premium, previous_february_deduction, recorded_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (addressee_number, fiscal_year) DO UPDATE SET"
            " annual_amount = EXCLUDED.annual_amount,"
            " ltc_special_collection = EXCLUDED.ltc_special_collection,"
            " ltc_premium = EXCLUDED.ltc_premium,"
            " previous_february_deduction = EXCLUDED.previous_february_deduction,"
            " recorded_by = EXCLUDED.recorded_by, recorded_at = now()",
            addressee_number,
            fiscal_year,
            record.pension.annual_amount,
            record.pension.ltc_special_collection,
            record.pension.ltc_premium,
            record.previous_february,
            actor,
        )

    async def requested_method(self, nhi_household_number: str, fiscal_year: int) -> str | None:
        value = await self.conn.fetchval(
            "SELECT method FROM collection_method_requests"
            " WHERE nhi_household_number = $1 AND fiscal_year = $2",
            nhi_household_number,
            fiscal_year,
        )
        return None if value is None else str(value)

    async def write_method_request(
        self, nhi_household_number: str, fiscal_year: int, method: str, reason: str, *, actor: str
    ) -> None:
        await self.conn.execute(
            "INSERT INTO collection_method_requests"
            " (nhi_household_number, fiscal_year, method, reason, requested_by)"
            " VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (nhi_household_number, fiscal_year) DO UPDATE SET"
            " method = EXCLUDED.method, reason = EXCLUDED.reason,"
            " requested_by = EXCLUDED.requested_by, requested_at = now()",
            nhi_household_number,
            fiscal_year,
            method,
            reason,
            actor,
        )

    async def assessed_households_of(
        self, addressee_numbers: Sequence[str], fiscal_year: int
    ) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT DISTINCT a.nhi_household_number FROM assessments a"
            " JOIN households h USING (nhi_household_number)"
            " LEFT JOIN household_members m USING (nhi_household_number)"
            " WHERE a.fiscal_year = $2 AND (m.addressee_number = ANY($1::text[])"
            "   OR h.householder_addressee_number = ANY($1::text[]))"
            " ORDER BY 1",
            list(addressee_numbers),
            fiscal_year,
        )
        return [r[0] for r in rows]

    async def assessed_years(self, nhi_household_number: str, from_year: int) -> list[int]:
        rows = await self.conn.fetch(
            "SELECT fiscal_year FROM assessments WHERE nhi_household_number = $1"
            " AND fiscal_year >= $2 ORDER BY 1",
            nhi_household_number,
            from_year,
        )
        return [r[0] for r in rows]

    async def annually_run_years(self, from_year: int) -> list[int]:
        rows = await self.conn.fetch(
            "SELECT DISTINCT fiscal_year FROM annual_runs WHERE status = 'finished'"
            " AND fiscal_year >= $1 ORDER BY 1",
            from_year,
        )
        return [r[0] for r in rows]

    # --- 減免 ---------------------------------------------------------------------------

    async def load_reduction_exemption(self, application_id: UUID) -> ReductionExemption | None:
        r = await self.conn.fetchrow(
            "SELECT * FROM reduction_exemptions WHERE application_id = $1 FOR UPDATE",
            application_id,
        )
        if r is None:
            return None
        return ReductionExemption(
            application_id=r["application_id"],
            nhi_household_number=r["nhi_household_number"],
            fiscal_year=r["fiscal_year"],
            reason_code=r["reason_code"],
            reason=r["reason"],
            ratio_percent=r["ratio_percent"],
            entered_by=r["entered_by"],
            status=r["status"],
            decided_by=r["decided_by"],
            decision_reason=r["decision_reason"],
        )

    async def save_reduction_exemption(self, a: ReductionExemption) -> None:
        await self.conn.execute(
            "INSERT INTO reduction_exemptions (application_id, nhi_household_number, fiscal_year,"
            " reason_code, reason, ratio_percent, status, entered_by, decided_by,"
            " decision_reason, decided_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
            "  CASE WHEN $9::text IS NULL THEN NULL ELSE now() END)"
            " ON CONFLICT (application_id) DO UPDATE SET status = EXCLUDED.status,"
            " decided_by = EXCLUDED.decided_by, decision_reason = EXCLUDED.decision_reason,"
            " decided_at = EXCLUDED.decided_at",
            a.application_id,
            a.nhi_household_number,
            a.fiscal_year,
            a.reason_code,
            a.reason,
            a.ratio_percent,
            a.status,
            a.entered_by,
            a.decided_by,
            a.decision_reason,
        )

    async def approved_reduction_ratios(
        self, nhi_household_number: str, fiscal_year: int
    ) -> list[int]:
        rows = await self.conn.fetch(
            "SELECT ratio_percent FROM reduction_exemptions WHERE nhi_household_number = $1"
            " AND fiscal_year = $2 AND status = 'approved' ORDER BY entered_at",
            nhi_household_number,
            fiscal_year,
        )
        return [r[0] for r in rows]


async def save_assessments(conn: asyncpg.Connection, items: Sequence[StoredAssessment]) -> None:
    """Multi-row upsert of the assessment read model."""
    if not items:
        return
    await conn.executemany(
        "INSERT INTO assessments (nhi_household_number, fiscal_year, revision, assessment_id,"
        " annual_amount, statutory_reduction, reduction_exemption_amount, components,"
        " explanation, cause, assessed_by, instalments, inputs, parameters_digest, collection)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12::jsonb,"
        " $13::jsonb, $14, $15::jsonb)"
        " ON CONFLICT (nhi_household_number, fiscal_year) DO UPDATE SET"
        " revision = EXCLUDED.revision, assessment_id = EXCLUDED.assessment_id,"
        " annual_amount = EXCLUDED.annual_amount,"
        " statutory_reduction = EXCLUDED.statutory_reduction,"
        " reduction_exemption_amount = EXCLUDED.reduction_exemption_amount,"
        " components = EXCLUDED.components, explanation = EXCLUDED.explanation,"
        " cause = EXCLUDED.cause, assessed_by = EXCLUDED.assessed_by, assessed_at = now(),"
        " instalments = EXCLUDED.instalments, inputs = EXCLUDED.inputs,"
        " parameters_digest = EXCLUDED.parameters_digest, collection = EXCLUDED.collection",
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
    )


def income_record(r: asyncpg.Record) -> IncomeRecord:
    return IncomeRecord(
        addressee_number=r["addressee_number"],
        income_year=r["income_year"],
        birth_date=r["birth_date"],
        income=Income(declared=r["declared"], **{name: int(r[name]) for name in AMOUNTS}),
        resident_tax_status=r["resident_tax_status"],
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
    )
