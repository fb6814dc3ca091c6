"""The 返納金 cases on PostgreSQL (``repayments``) and their in-memory twin (the same tests,
``tests/unit/test_repayments.py``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from kokuho.benefits.domain import repayment as rp

COLUMNS = (
    "repayment_id",
    "nhi_household_number",
    "addressee_number",
    "loss_date",
    "claims",
    "detected_amount",
    "review_month",
    "detected_on",
    "status",
    "amount",
    "proposal_claims",
    "reason",
    "proposed_by",
    "reviewed_by",
    "decided_on",
    "due_date",
    "version",
)


def _claims_json(claims: tuple[rp.TargetClaim, ...]) -> str:
    return json.dumps(
        [
            {
                "claim_number": c.claim_number,
                "treatment_month": c.treatment_month.isoformat(),
                "medical_cost": c.medical_cost,
                "self_pay": c.self_pay,
            }
            for c in claims
        ]
    )


def _state(r: Mapping[str, Any]) -> rp.Repayment:
    raw = r["claims"]
    claims = tuple(
        rp.TargetClaim(
            c["claim_number"],
            date.fromisoformat(c["treatment_month"]),
            int(c["medical_cost"]),
            int(c["self_pay"]),
        )
        for c in (json.loads(raw) if isinstance(raw, str) else raw)
    )
    values = {k: r[k] for k in COLUMNS if k != "claims"}
    values["detected_amount"] = int(values["detected_amount"])
    values["amount"] = int(values["amount"])
    return rp.Repayment(claims=claims, **values)


class PostgresRepayments:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def by_stream(self, stream_id: str) -> rp.Repayment | None:
        row = await self._conn.fetchrow("SELECT * FROM repayments WHERE stream_id = $1", stream_id)
        return None if row is None else _state(row)

    async def get(self, repayment_id: UUID) -> rp.Repayment | None:
        row = await self._conn.fetchrow(
            "SELECT * FROM repayments WHERE repayment_id = $1", repayment_id
        )
        return None if row is None else _state(row)

    async def put(self, state: rp.Repayment) -> None:
        values = [
            _claims_json(state.claims) if c == "claims" else getattr(state, c) for c in COLUMNS
        ]
        marks = ", ".join(
            f"${i + 2}::jsonb" if c == "claims" else f"${i + 2}" for i, c in enumerate(COLUMNS)
        )
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "repayment_id")
        await self._conn.execute(
            f"INSERT INTO repayments (stream_id, {', '.join(COLUMNS)}) VALUES ($1, {marks})"  # noqa: S608
            f" ON CONFLICT (repayment_id) DO UPDATE SET {updates}",
            rp.stream_id(state.addressee_number, state.loss_date),
            *values,
        )

    async def open_cases(self, limit: int) -> list[rp.Repayment]:
        rows = await self._conn.fetch(
            "SELECT * FROM repayments WHERE status IN ('detected', 'proposed')"
            " ORDER BY detected_on, repayment_id LIMIT $1",
            limit,
        )
        return [_state(r) for r in rows]


class InMemoryRepayments:
    def __init__(self) -> None:
        self.rows: dict[UUID, rp.Repayment] = {}

    async def by_stream(self, stream_id: str) -> rp.Repayment | None:
        return next(
            (
                s
                for s in self.rows.values()
                if rp.stream_id(s.addressee_number, s.loss_date) == stream_id
            ),
            None,
        )

    async def get(self, repayment_id: UUID) -> rp.Repayment | None:
        return self.rows.get(repayment_id)

    async def put(self, state: rp.Repayment) -> None:
        self.rows[state.repayment_id] = state

    async def open_cases(self, limit: int) -> list[rp.Repayment]:
        found = [s for s in self.rows.values() if s.status in ("detected", "proposed")]
        return sorted(found, key=lambda s: (s.detected_on, str(s.repayment_id)))[:limit]
