"""The API's reads: each is audited with whose data it showed (C-45; C-18: no individual
numbers exist here). An unknown resource is a 404 named for the resource."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from kokuho.eligibility.app.errors import (
    CertificateUnknown,
    ChangeNotFound,
    HouseholdNotFound,
    PersonNotFound,
)
from kokuho.eligibility.app.ports import ReadUnitPort

Row = dict[str, Any]


@dataclass(frozen=True)
class Listing:
    """One page of a list: the rows and the position of the last one, when the page is full
    (the next page starts after it)."""

    items: list[Row]
    last: str | None


def _listing(items: list[Row], limit: int, key: str) -> Listing:
    return Listing(items, str(items[-1][key]) if items and len(items) >= limit else None)


async def person(uow: ReadUnitPort, addressee_number: str) -> Row:
    async with uow:
        found = await uow.views.person(addressee_number)
        if found is None:
            raise PersonNotFound(addressee_number)
        await uow.audit.record(
            subjects=[addressee_number], detail={"found": True, "view": "person"}
        )
        return found


async def search_persons(
    uow: ReadUnitPort, name_kana: str, limit: int, after: str | None
) -> Listing:
    async with uow:
        items = await uow.views.search_persons(name_kana, limit, after)
        await uow.audit.record(
            subjects=[i["addressee_number"] for i in items], detail={"search": "name_kana"}
        )
        return _listing(items, limit, "addressee_number")


async def household(uow: ReadUnitPort, number: str, as_of: date | None) -> Row:
    async with uow:
        found = await uow.views.household(number, as_of)
        if found is None:
            raise HouseholdNotFound(number, f"household {number} unknown")
        subjects = [m["addressee_number"] for m in found["members"]]
        subjects.append(found["householder_addressee_number"])
        await uow.audit.record(
            subjects=sorted(set(subjects)),
            detail={"household": number, "as_of": str(as_of) if as_of else None},
        )
        return found


async def household_history(uow: ReadUnitPort, number: str) -> list[Row]:
    async with uow:
        history = await uow.views.household_history(number)
        if not history:
            raise HouseholdNotFound(number, f"household {number} unknown")
        subjects = {
            str(h["data"][k])
            for h in history
            for k in ("addressee_number", "householder_addressee_number")
            if k in h["data"]
        }
        await uow.audit.record(subjects=sorted(subjects), detail={"household": number})
        return history


async def change(uow: ReadUnitPort, change_id: UUID) -> Row:
    async with uow:
        found = await uow.views.change(change_id)
        if found is None:
            raise ChangeNotFound(str(change_id))
        await uow.audit.record(
            subjects=list(found["subjects"]), detail={"change_id": str(change_id)}
        )
        return found


async def pending_changes(uow: ReadUnitPort, limit: int, after: str | None) -> Listing:
    async with uow:
        items = await uow.views.pending_changes(limit, after)
        subjects = sorted({s for i in items for s in i["subjects"]})
        await uow.audit.record(subjects=subjects, detail={"listed": len(items)})
        return _listing(items, limit, "change_id")


async def federation_reviews(uow: ReadUnitPort, limit: int, after: str | None) -> Listing:
    """Persons the federation's 資格継続 file knows and eligibility does not (to take up at the
    counter); differences for known persons arrive as pending corrections instead."""
    async with uow:
        items = await uow.views.federation_reviews(limit, after)
        await uow.audit.record(
            subjects=sorted({i["addressee_number"] for i in items}), detail={"listed": len(items)}
        )
        return _listing(items, limit, "event_id")


async def certificate(uow: ReadUnitPort, certificate_id: UUID, *, rendered: bool = False) -> Row:
    async with uow:
        found = await uow.views.certificate(certificate_id)
        if found is None:
            raise CertificateUnknown(str(certificate_id))
        detail = {"certificate": str(certificate_id)} | ({"rendered": "pdf"} if rendered else {})
        await uow.audit.record(subjects=[found["addressee_number"]], detail=detail)
        return found
