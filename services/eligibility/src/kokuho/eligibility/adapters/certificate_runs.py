"""The bulk certificate run's tables on PostgreSQL (``app.certificate_runs.CertificateRunsPort``):
the members' certificate bases, the runs and what each issued."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.eligibility.app.certificate_runs import Candidate
from kokuho.eligibility.domain.certificate_choice import (
    CONFIRMATION_DOCUMENT,
    INFORMATION_NOTICE,
    CertificateBasis,
    HeldDocument,
    RenewalRules,
)


class PostgresCertificateRuns:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record_card_status(
        self, addressee_number: str, status: str, expires_on: date | None, as_of: date
    ) -> bool:
        row = await self._conn.fetchrow(
            "INSERT INTO certificate_bases (addressee_number, card_status, card_status_as_of,"
            " e_certificate_expires_on) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (addressee_number) DO UPDATE SET card_status = $2,"
            " card_status_as_of = $3, e_certificate_expires_on = $4, updated_at = now()"
            " WHERE certificate_bases.card_status_as_of IS NULL"
            " OR certificate_bases.card_status_as_of <= $3 RETURNING addressee_number",
            addressee_number,
            status,
            as_of,
            expires_on,
        )
        return row is not None

    async def record_basis(
        self, addressee_number: str, dv_support: bool | None, on_application: bool | None
    ) -> None:
        await self._conn.execute(
            "INSERT INTO certificate_bases (addressee_number, dv_support, on_application)"
            " VALUES ($1, coalesce($2, false), coalesce($3, false))"
            " ON CONFLICT (addressee_number) DO UPDATE SET"
            " dv_support = coalesce($2, certificate_bases.dv_support),"
            " on_application = coalesce($3, certificate_bases.on_application),"
            " updated_at = now()",
            addressee_number,
            dv_support,
            on_application,
        )

    async def basis(self, addressee_number: str) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(
            "SELECT addressee_number, card_status, card_status_as_of, e_certificate_expires_on,"
            " dv_support, on_application FROM certificate_bases WHERE addressee_number = $1",
            addressee_number,
        )
        return dict(row) if row else None

    async def unfinished(self, renewal: str) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM certificate_runs WHERE renewal = $1 AND finished_at IS NULL"
            " ORDER BY started_at LIMIT 1",
            renewal,
        )
        return dict(row) if row else None

    async def start(
        self, run_id: UUID, renewal: RenewalRules, issue_date: date, requested_by: str
    ) -> None:
        await self._conn.execute(
            "INSERT INTO certificate_runs (run_id, renewal, issue_date, valid_until,"
            " requested_by, status) VALUES ($1, $2, $3, $4, $5, 'issuing')",
            run_id,
            renewal.name,
            issue_date,
            renewal.valid_until,
            requested_by,
        )

    async def run(self, run_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(
            "SELECT r.*, (SELECT count(*) FROM certificate_run_items i WHERE i.run_id = r.run_id)"
            " AS issued_total FROM certificate_runs r WHERE r.run_id = $1",
            run_id,
        )
        return dict(row) if row else None

    async def candidates(self) -> list[Candidate]:
        """Every member insured now (an open period), in household order, with their basis and
        the 資格確認書 / お知らせ they hold (not collected)."""
        rows = await self._conn.fetch(
            "SELECT q.addressee_number, q.nhi_household_number, b.card_status,"
            " b.e_certificate_expires_on, coalesce(b.dv_support, false) AS dv_support,"
            " coalesce(b.on_application, false) AS on_application"
            " FROM qualification_periods q"
            " LEFT JOIN certificate_bases b ON b.addressee_number = q.addressee_number"
            " WHERE q.open ORDER BY q.nhi_household_number, q.addressee_number"
        )
        held: dict[str, list[HeldDocument]] = {}
        for doc in await self._conn.fetch(
            "SELECT addressee_number, kind, issue_date, valid_until FROM certificates"
            " WHERE collected_date IS NULL AND kind = ANY($1::text[])",
            [CONFIRMATION_DOCUMENT, INFORMATION_NOTICE],
        ):
            held.setdefault(doc["addressee_number"], []).append(
                HeldDocument(doc["kind"], doc["issue_date"], doc["valid_until"])
            )
        return [
            Candidate(
                r["addressee_number"],
                r["nhi_household_number"],
                CertificateBasis(
                    r["card_status"],
                    r["e_certificate_expires_on"],
                    r["dv_support"],
                    r["on_application"],
                ),
                held.get(r["addressee_number"], []),
            )
            for r in rows
        ]

    async def add_item(
        self, run_id: UUID, certificate_id: str, addressee_number: str, kind: str, reason: str
    ) -> None:
        await self._conn.execute(
            "INSERT INTO certificate_run_items (run_id, certificate_id, addressee_number, kind,"
            " reason) VALUES ($1, $2, $3, $4, $5)",
            run_id,
            UUID(certificate_id),
            addressee_number,
            kind,
            reason,
        )

    async def progress(self, run_id: UUID, **counts: int | str) -> None:
        await self._conn.execute(
            "UPDATE certificate_runs SET status = coalesce($2, status),"
            " issued = (SELECT count(*) FROM certificate_run_items WHERE run_id = $1),"
            " candidates = coalesce($3, candidates), kept = coalesce($4, kept),"
            " refused = coalesce($5, refused), print_files = coalesce($6, print_files),"
            " finished_at = CASE WHEN $7 THEN now() ELSE finished_at END WHERE run_id = $1",
            run_id,
            counts.get("status"),
            counts.get("candidates"),
            counts.get("kept"),
            counts.get("refused"),
            counts.get("print_files"),
            bool(counts.get("finished")),
        )

    async def item_count(self, run_id: UUID) -> int:
        count = await self._conn.fetchval(
            "SELECT count(*) FROM certificate_run_items WHERE run_id = $1", run_id
        )
        return int(count)

    async def printable(self, run_id: UUID, offset: int, limit: int) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT c.*, i.reason, p.name, p.name_kana, p.sex, p.birth_date, p.address,"
            " p.postal_code, q.card_symbol, hp.name AS householder_name"
            " FROM certificate_run_items i JOIN certificates c USING (certificate_id)"
            " LEFT JOIN persons p ON p.addressee_number = c.addressee_number"
            " LEFT JOIN households h ON h.nhi_household_number = c.nhi_household_number"
            " LEFT JOIN persons hp ON hp.addressee_number = h.householder_addressee_number"
            " LEFT JOIN qualification_periods q"
            "   ON q.addressee_number = c.addressee_number AND q.open"
            " WHERE i.run_id = $1 ORDER BY i.seq OFFSET $2 LIMIT $3",
            run_id,
            offset,
            limit,
        )
        return [dict(r) for r in rows]
