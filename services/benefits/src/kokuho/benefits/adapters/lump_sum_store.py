"""The 葬祭費 / 出産育児一時金 applications on PostgreSQL (``lump_sum_applications``) and their
in-memory twin (the same contract tests, ``tests/unit/test_lump_sums.py``), on
``application_store``; found by their stream too (once per deceased, once per birth)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kokuho.benefits.adapters.application_store import (
    ACCOUNT,
    InMemoryApplications,
    PostgresApplications,
)
from kokuho.benefits.domain import lump_sum as ls

__all__ = ["ACCOUNT", "DECISION", "InMemoryLumpSums", "PostgresLumpSums"]

DECISION = (
    "status",
    "amount",
    "to_institution",
    "to_household",
    "paid",
    "reason",
    "reviewed_by",
    "decided_on",
    "version",
)


class PostgresLumpSums(PostgresApplications[ls.LumpSum]):
    table = "lump_sum_applications"
    decision = DECISION

    def row(self, state: ls.LumpSum) -> dict[str, Any]:
        a = state.application
        return {
            "application_id": a.application_id,
            "stream_id": ls.stream_id(a),
            "kind": a.kind.value,
            "nhi_household_number": a.nhi_household_number,
            "subject_addressee_number": a.subject_addressee_number,
            "event_date": a.event_date,
            "funeral_date": a.funeral_date,
            "birth_category": a.birth_category.value if a.birth_category else None,
            "children": a.children,
            "institution_paid": a.institution_paid,
            "payee_addressee_number": a.payee_addressee_number,
            "entered_by": a.entered_by,
            "applied_on": a.today,
            "status": state.status,
            "version": state.version,
        }

    def state(self, r: Mapping[str, Any]) -> ls.LumpSum:
        application = ls.Apply(
            r["application_id"],
            ls.LumpSumKind(r["kind"]),
            r["nhi_household_number"],
            r["subject_addressee_number"],
            r["event_date"],
            r["payee_addressee_number"],
            r["entered_by"],
            r["applied_on"],
            r["funeral_date"],
            ls.BirthCategory(r["birth_category"]) if r["birth_category"] else None,
            r["children"],
            r["institution_paid"],
        )
        return ls.LumpSum(application, **{k: r[k] for k in DECISION})

    async def by_stream(self, stream_id: str) -> ls.LumpSum | None:
        return await self.find("stream_id", stream_id)


class InMemoryLumpSums(InMemoryApplications[ls.LumpSum]):
    async def by_stream(self, stream_id: str) -> ls.LumpSum | None:
        return await self.find(lambda s: ls.stream_id(s.application) == stream_id)
