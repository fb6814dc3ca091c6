"""The small repositories of assessment on PostgreSQL, on the unit of work's transaction:
incomes, pensions and method requests, assessments, 減免, annual runs (the household projection
is in ``household_projection``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from kokuho.assessment.adapters.rows import (
    income_record,
    pension_record,
    save_assessments,
    stored_assessment,
)
from kokuho.assessment.app.ports import (
    AnnualRunRecord,
    ImportReceipt,
    PensionRecord,
    StoredAssessment,
)
from kokuho.assessment.domain.income_file import AMOUNTS, BENEFIT_COLUMNS, IncomeRecord
from kokuho.assessment.domain.reduction_exemption import ReductionExemption

INCOME_COLUMNS = (
    "addressee_number",
    "income_year",
    "birth_date",
    "declared",
    *AMOUNTS,
    "resident_tax_status",
    *BENEFIT_COLUMNS,
    "source",
    "import_id",
    "declaration_channel",
    "updated_by",
)


def _income_row(
    r: IncomeRecord, source: str, import_id: UUID | None, channel: str | None, actor: str
) -> tuple[object, ...]:
    """One row of ``INCOME_COLUMNS`` (format-1 lines: the benefit figures NULL)."""
    figures = r.benefit_figures
    return (
        r.addressee_number,
        r.income_year,
        r.birth_date,
        r.income.declared,
        *(getattr(r.income, name) for name in AMOUNTS),
        r.resident_tax_status,
        *((None, None) if figures is None else (figures.taxable_income, figures.other_revenue)),
        source,
        import_id,
        channel,
        actor,
    )


class PostgresIncomes:
    """Previous-year income per person and year, and the import receipts."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

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
            records=[_income_row(r, source, import_id, channel, actor) for r in records],
        )
        updates = ", ".join(
            f"{c} = EXCLUDED.{c}"
            for c in INCOME_COLUMNS
            if c not in ("addressee_number", "income_year")
        )
        columns = ", ".join(INCOME_COLUMNS)
        # C-24: the row a correction replaces goes to income_history first (only when a
        # figure differs: a repeated file adds nothing)
        facts = (
            "birth_date",
            "declared",
            *AMOUNTS,
            "resident_tax_status",
            *BENEFIT_COLUMNS,
            "source",
        )
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
            " rejected, status, applied_lines, discarded_non_subjects)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)",
            receipt.import_id,
            receipt.file_name,
            receipt.received_by,
            receipt.lines,
            receipt.valid_lines,
            json.dumps(receipt.rejected, ensure_ascii=False),
            receipt.status,
            receipt.applied_lines,
            receipt.discarded_non_subjects,
        )

    async def subjects_among(self, addressee_numbers: Sequence[str]) -> set[str]:
        """Who of these is a subject (C-06): a member (insured, former or 特定同一世帯所属者) or
        the householder (a deemed householder too) of a household assessment knows."""
        rows = await self.conn.fetch(
            "SELECT addressee_number FROM household_members"
            " WHERE addressee_number = ANY($1::text[])"
            " UNION SELECT householder_addressee_number FROM households"
            " WHERE householder_addressee_number = ANY($1::text[])",
            list(addressee_numbers),
        )
        return {r[0] for r in rows}

    async def households_of(self, addressee_numbers: Sequence[str]) -> list[str]:
        """The households these people are members or householders of."""
        rows = await self.conn.fetch(
            "SELECT nhi_household_number FROM household_members"
            " WHERE addressee_number = ANY($1::text[])"
            " UNION SELECT nhi_household_number FROM households"
            " WHERE householder_addressee_number = ANY($1::text[]) ORDER BY 1",
            list(addressee_numbers),
        )
        return [r[0] for r in rows]

    async def subjects_without_income(self, income_year: int, limit: int) -> list[str]:
        """Subjects with no income recorded for the year: whom to ask the tax system about
        (those who became subjects after the year's file, C-06)."""
        rows = await self.conn.fetch(
            "SELECT s.addressee_number FROM (SELECT addressee_number FROM household_members"
            " UNION SELECT householder_addressee_number FROM households) s"
            " WHERE NOT EXISTS (SELECT 1 FROM incomes i WHERE i.addressee_number ="
            " s.addressee_number AND i.income_year = $1) ORDER BY 1 LIMIT $2",
            income_year,
            limit,
        )
        return [r[0] for r in rows]


class PostgresPensions:
    """The householder's pension per fiscal year and the requested collection method."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def pension(self, addressee_number: str, fiscal_year: int) -> PensionRecord | None:
        r = await self.conn.fetchrow(
            "SELECT * FROM pensions WHERE addressee_number = $1 AND fiscal_year = $2",
            addressee_number,
            fiscal_year,
        )
        return None if r is None else pension_record(r)

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


class PostgresAssessments:
    """The current assessment of each household and year (the read model)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

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


class PostgresReductions:
    """減免 applications and their decisions."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

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


class PostgresAnnualRuns:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def latest(self, fiscal_year: int) -> AnnualRunRecord | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM annual_runs WHERE fiscal_year = $1 ORDER BY started_at DESC LIMIT 1",
            fiscal_year,
        )
        if row is None:
            return None
        return AnnualRunRecord(
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
