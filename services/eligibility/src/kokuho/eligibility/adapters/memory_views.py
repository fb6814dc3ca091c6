"""The API's reads on the in-memory twin (the twin of ``adapters/views.py``): the same rows,
in the same order, from ``MemoryTables`` and the in-memory event store."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from kokuho.eligibility.adapters.memory_tables import (
    PERIOD_COLUMNS,
    PERSON_COLUMNS,
    MemoryTables,
    Row,
    _pick,
)
from kokuho.eligibility.adapters.views import HOUSEHOLD_COLUMNS
from kokuho.events.testing.fakes import InMemoryEventStore

HOUSEHOLDER_EVENTS = (
    "jp.kokuho.eligibility.household_registered.v1",
    "jp.kokuho.eligibility.householder_changed.v1",
)


class MemoryViews:
    def __init__(self, tables: MemoryTables, store: InMemoryEventStore) -> None:
        self.t = tables
        self._store = store

    async def person(self, addressee_number: str) -> Row | None:
        details = self.t.persons.get(addressee_number)
        periods = sorted(
            (p for p in self.t.periods if p["addressee_number"] == addressee_number),
            key=lambda p: (p["acquisition_date"], p["period_id"]),
        )
        if details is None and not periods:
            return None
        special = [c for c in self.t.special_cases if c["addressee_number"] == addressee_number]
        unemployment = [u for u in self.t.unemployment if u["addressee_number"] == addressee_number]
        retiree = [r for r in self.t.retiree.values() if r["addressee_number"] == addressee_number]
        return {
            "addressee_number": addressee_number,
            "details": _pick(details, PERSON_COLUMNS) if details else None,
            "qualifications": [_pick(p, PERIOD_COLUMNS) for p in periods],
            "special_cases": [
                {k: v for k, v in c.items() if k != "addressee_number"}
                for c in sorted(special, key=lambda c: c["start_date"])
            ],
            "involuntary_unemployment": [
                {k: v for k, v in u.items() if k != "addressee_number"}
                for u in sorted(unemployment, key=lambda u: u["separation_date"])
            ],
            "retiree_status": [
                {k: v for k, v in r.items() if k != "addressee_number"}
                for r in sorted(retiree, key=lambda r: (r["since"], r["retiree_kind"]))
            ],
        }

    async def search_persons(
        self, name_kana: str | None, limit: int, after: str | None
    ) -> list[Row]:
        found = []
        for number in sorted(self.t.persons):
            p = self.t.persons[number]
            if name_kana is not None and not p["name_kana"].startswith(name_kana):
                continue
            if after is not None and number <= after:
                continue
            period = self.t.open_period(number)
            found.append(
                {
                    **_pick(p, ["addressee_number", "nhi_household_number", "name", "name_kana"]),
                    "sex": p["sex"],
                    "birth_date": p["birth_date"],
                    "insured_number": period["insured_number"] if period else None,
                    "insured": period is not None,
                }
            )
        return found[:limit]

    async def household(self, number: str, as_of: date | None) -> Row | None:
        head = self.t.households.get(number)
        if head is None:
            return None
        in_household = [p for p in self.t.periods if p["nhi_household_number"] == number]
        if as_of is None:
            rows = [p for p in in_household if p["open"]]
        else:
            rows = [
                p
                for p in in_household
                if p["acquisition_date"] <= as_of
                and (p["loss_date"] is None or p["loss_date"] > as_of)
            ]
        rows.sort(key=lambda p: p["branch_number"])

        def name(addressee: str) -> Any:
            return self.t.persons.get(addressee, {}).get("name")

        result = _pick(head, list(HOUSEHOLD_COLUMNS))
        householder = head["householder_addressee_number"]
        result["as_of"] = as_of
        result["householder_name"] = name(householder)
        result["members"] = [
            {**_pick(m, PERIOD_COLUMNS), "name": name(m["addressee_number"])} for m in rows
        ]
        if as_of is not None:
            householder = await self.householder_as_of(number, as_of) or householder
            result["householder_addressee_number"] = householder
            result["householder_name"] = name(householder)
            result["deemed_householder"] = householder not in {m["addressee_number"] for m in rows}
        return result

    async def householder_as_of(self, number: str, as_of: date) -> str | None:
        found: str | None = None
        for event in await self._store.load(f"household-{number}"):
            if event.event_type in HOUSEHOLDER_EVENTS:
                data = json.loads(json.dumps(event.envelope.data, default=str))
                if date.fromisoformat(data["effective_date"]) <= as_of:
                    found = data["householder_addressee_number"]
        return found

    async def household_history(self, number: str) -> list[Row]:
        return [
            {
                "version": e.version,
                "type": e.event_type,
                "recorded_at": e.envelope.time,
                "data": json.loads(json.dumps(e.envelope.data, default=str)),
            }
            for e in await self._store.load(f"household-{number}")
        ]

    async def change(self, change_id: UUID) -> Row | None:
        row = self.t.changes.get(change_id)
        return dict(row) if row else None

    async def pending_changes(self, limit: int, after: str | None) -> list[Row]:
        rows = sorted(
            (c for c in self.t.changes.values() if c["status"] == "pending"),
            key=lambda c: str(c["change_id"]),
        )
        drop = ("identity_method", "by_proxy")
        return [
            {k: v for k, v in c.items() if k not in drop}
            for c in rows
            if after is None or str(c["change_id"]) > after
        ][:limit]

    async def certificate(self, certificate_id: UUID) -> Row | None:
        row = self.t.certificates.get(certificate_id)
        if row is None:
            return None
        person = self.t.persons.get(row["addressee_number"], {})
        household = self.t.households.get(row["nhi_household_number"], {})
        householder = household.get("householder_addressee_number")
        return {
            **row,
            **{k: person.get(k) for k in ("name", "name_kana", "sex", "birth_date", "address")},
            "postal_code": person.get("postal_code"),
            "householder_addressee_number": householder,
            "householder_name": self.t.persons.get(householder or "", {}).get("name"),
        }

    async def federation_reviews(self, limit: int, after: str | None) -> list[Row]:
        rows = sorted(
            (r for r in self.t.reviews.values() if r["change_id"] is None),
            key=lambda r: str(r["event_id"]),
        )
        return [dict(r) for r in rows if after is None or str(r["event_id"]) > after][:limit]
