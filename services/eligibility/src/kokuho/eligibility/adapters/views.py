"""The API's reads of the read models on PostgreSQL (no event replay on the read path);
``PostgresViews`` implements ``app.ports.ViewsPort`` on the unit's connection."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

PERIOD_COLUMNS = (
    "addressee_number, nhi_household_number, insured_number, card_symbol, card_number,"
    " branch_number, birth_date, relationship, acquisition_date, acquisition_reason,"
    " acquisition_notified, acquisition_late, loss_date, loss_reason, loss_notified, loss_late,"
    " former_dependant, copayment_until"
)

_PERIOD_NAMES = tuple(c.strip() for c in PERIOD_COLUMNS.split(","))
HOUSEHOLD_COLUMNS = (
    "nhi_household_number",
    "householder_addressee_number",
    "deemed_householder",
    "dissolved",
    "specified_same_household_members",
    "registered_on",
)
_HOUSEHOLD_NOW = (
    "SELECT h.nhi_household_number, h.householder_addressee_number, h.deemed_householder,"  # noqa: S608 - constant columns
    " h.dissolved, h.specified_same_household_members, h.registered_on,"
    " (SELECT name FROM persons WHERE addressee_number = h.householder_addressee_number)"
    " AS householder_name, "
    # a member's nhi_household_number is the household's (the join), read from h once
    + ", ".join(f"q.{c}" for c in _PERIOD_NAMES if c != "nhi_household_number")
    + ", p.name AS member_name"
    " FROM households h"
    " LEFT JOIN qualification_periods q"
    " ON q.nhi_household_number = h.nhi_household_number AND q.open"
    " LEFT JOIN persons p ON p.addressee_number = q.addressee_number"
    " WHERE h.nhi_household_number = $1 ORDER BY q.branch_number"
)


class PostgresViews:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def person(self, addressee_number: str) -> dict[str, Any] | None:
        details = await self._conn.fetchrow(
            "SELECT addressee_number, nhi_household_number, name, name_kana, sex, birth_date,"
            " postal_code, address, phone, as_of FROM persons WHERE addressee_number = $1",
            addressee_number,
        )
        periods = await self._conn.fetch(
            f"SELECT {PERIOD_COLUMNS} FROM qualification_periods WHERE addressee_number = $1"  # noqa: S608
            " ORDER BY acquisition_date, period_id",
            addressee_number,
        )
        if details is None and not periods:
            return None
        special = await self._conn.fetch(
            "SELECT kind, nhi_household_number, facility_kind, facility_name,"
            " facility_address, start_date, end_date FROM special_cases"
            " WHERE addressee_number = $1 ORDER BY start_date",
            addressee_number,
        )
        unemployment = await self._conn.fetch(
            "SELECT separation_date, separation_reason_code, reduction_start, reduction_end"
            " FROM involuntary_unemployment WHERE addressee_number = $1 ORDER BY separation_date",
            addressee_number,
        )
        retiree = await self._conn.fetch(
            "SELECT retiree_kind, nhi_household_number, since, until FROM retiree_status"
            " WHERE addressee_number = $1 ORDER BY since, retiree_kind",
            addressee_number,
        )
        return {
            "addressee_number": addressee_number,
            "details": dict(details) if details else None,
            "qualifications": [dict(p) for p in periods],
            "special_cases": [dict(s) for s in special],
            "involuntary_unemployment": [dict(u) for u in unemployment],
            "retiree_status": [dict(r) for r in retiree],
        }

    async def search_persons(
        self, name_kana: str | None, limit: int, after: str | None
    ) -> list[dict[str, Any]]:
        """Persons by kana prefix, in addressee-number order (C-18: never an individual number,
        which this database does not hold)."""
        rows = await self._conn.fetch(
            "SELECT p.addressee_number, p.nhi_household_number, p.name, p.name_kana, p.sex,"
            " p.birth_date, q.insured_number, (q.addressee_number IS NOT NULL) AS insured"
            " FROM persons p LEFT JOIN qualification_periods q"
            " ON q.addressee_number = p.addressee_number AND q.open"
            " WHERE ($1::text IS NULL OR p.name_kana LIKE $1 || '%')"
            " AND ($2::text IS NULL OR p.addressee_number > $2)"
            " ORDER BY p.addressee_number LIMIT $3",
            name_kana,
            after,
            limit,
        )
        return [dict(r) for r in rows]

    async def household(self, number: str, as_of: date | None) -> dict[str, Any] | None:
        if as_of is None:
            return await self._household_now(number)
        head = await self._conn.fetchrow(
            "SELECT nhi_household_number, householder_addressee_number, deemed_householder,"
            " dissolved, specified_same_household_members, registered_on"
            " FROM households WHERE nhi_household_number = $1",
            number,
        )
        if head is None:
            return None
        members = await self._conn.fetch(
            f"SELECT {PERIOD_COLUMNS} FROM qualification_periods"  # noqa: S608 - constant columns
            " WHERE nhi_household_number = $1 AND acquisition_date <= $2"
            " AND (loss_date IS NULL OR loss_date > $2) ORDER BY branch_number",
            number,
            as_of,
        )
        names = await self._conn.fetch(
            "SELECT addressee_number, name, name_kana FROM persons"
            " WHERE addressee_number = ANY($1::text[])",
            [m["addressee_number"] for m in members] + [head["householder_addressee_number"]],
        )
        by_number = {n["addressee_number"]: dict(n) for n in names}
        result = dict(head)
        result["as_of"] = as_of
        householder = head["householder_addressee_number"]
        result["householder_name"] = by_number.get(householder, {}).get("name")
        result["members"] = [
            {**dict(m), "name": by_number.get(m["addressee_number"], {}).get("name")}
            for m in members
        ]
        householder = await self.householder_as_of(number, as_of) or householder
        result["householder_addressee_number"] = householder
        result["householder_name"] = by_number.get(householder, {}).get("name")
        result["deemed_householder"] = householder not in {m["addressee_number"] for m in members}
        return result

    async def _household_now(self, number: str) -> dict[str, Any] | None:
        """The household today in one statement (the counter's most frequent read, issue 15:
        a round trip each for the household, its members and their names cost a fifth of the
        request): a row per open member with the household's columns repeated, or one row
        with no member columns when none is open."""
        rows = await self._conn.fetch(_HOUSEHOLD_NOW, number)
        if not rows:
            return None
        head = rows[0]
        result: dict[str, Any] = {column: head[column] for column in HOUSEHOLD_COLUMNS}
        result["as_of"] = None
        result["householder_name"] = head["householder_name"]
        result["members"] = [
            {**{column: row[column] for column in _PERIOD_NAMES}, "name": row["member_name"]}
            for row in rows
            if row["addressee_number"] is not None
        ]
        return result

    async def householder_as_of(self, number: str, as_of: date) -> str | None:
        """The householder on ``as_of``, from the household's registration and householder
        changes."""
        rows = await self._conn.fetch(
            "SELECT (envelope->'data')::text AS data FROM events WHERE stream_id = $1"
            " AND event_type = ANY($2::text[]) ORDER BY version",
            f"household-{number}",
            [
                "jp.kokuho.eligibility.household_registered.v1",
                "jp.kokuho.eligibility.householder_changed.v1",
            ],
        )
        found: str | None = None
        for row in rows:
            data = json.loads(row["data"])
            if date.fromisoformat(data["effective_date"]) <= as_of:
                found = data["householder_addressee_number"]
        return found

    async def household_history(self, number: str) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT version, event_type, occurred_at AS recorded_at,"
            " (envelope->'data')::text AS data FROM events"
            " WHERE stream_id = $1 ORDER BY version",
            f"household-{number}",
        )
        return [
            {
                "version": r["version"],
                "type": r["event_type"],
                "recorded_at": r["recorded_at"],
                "data": json.loads(r["data"]),
            }
            for r in rows
        ]

    async def change(self, change_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(
            "SELECT change_id, kind, nhi_household_number, subjects, status, ex_officio,"
            " entered_by, entered_at, decided_by, decided_at, identity_method, by_proxy"
            " FROM changes WHERE change_id = $1",
            change_id,
        )
        return dict(row) if row else None

    async def pending_changes(self, limit: int, after: str | None) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT change_id, kind, nhi_household_number, subjects, status, ex_officio,"
            " entered_by, entered_at, decided_by, decided_at FROM changes WHERE status = 'pending'"
            " AND ($1::text IS NULL OR change_id::text > $1) ORDER BY change_id::text LIMIT $2",
            after,
            limit,
        )
        return [dict(r) for r in rows]

    async def certificate(self, certificate_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(
            "SELECT c.*, p.name, p.name_kana, p.sex, p.birth_date, p.address, p.postal_code,"
            " h.householder_addressee_number, hp.name AS householder_name"
            " FROM certificates c LEFT JOIN persons p ON p.addressee_number = c.addressee_number"
            " LEFT JOIN households h ON h.nhi_household_number = c.nhi_household_number"
            " LEFT JOIN persons hp ON hp.addressee_number = h.householder_addressee_number"
            " WHERE c.certificate_id = $1",
            certificate_id,
        )
        return dict(row) if row else None

    async def federation_reviews(self, limit: int, after: str | None) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT event_id, addressee_number, insured_number, kind, federation_acquisition_date,"
            " federation_loss_date, file_date, confirmed_by, change_id, received_at"
            " FROM federation_reviews WHERE change_id IS NULL"
            " AND ($1::text IS NULL OR event_id::text > $1) ORDER BY event_id::text LIMIT $2",
            after,
            limit,
        )
        return [dict(r) for r in rows]
