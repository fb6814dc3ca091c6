"""The resident-register intake's lists (ADR 0015): the clerks' work list and review list, read
and closed, and what became of one change; each read audited with whose data it touched (C-45)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.platform.errors import DomainError

Resolution = Literal["joined", "not_joining", "corrected", "no_action", "handled"]


class WorkItemNotFound(DomainError):
    status = 404
    slug = "register-item-not-found"

    def __init__(self, item_id: UUID) -> None:
        super().__init__(f"register item {item_id} does not exist")


class ItemAlreadyClosed(DomainError):
    status = 409
    slug = "register-item-closed"

    def __init__(self, item_id: UUID) -> None:
        super().__init__(f"register item {item_id} is closed already")


class RegisterChangeNotFound(DomainError):
    status = 404
    slug = "register-change-not-found"

    def __init__(self, register_change_id: str) -> None:
        super().__init__(f"register change {register_change_id} was never taken in")


@dataclass(frozen=True)
class ItemListing:
    items: list[dict[str, Any]]
    last: int | None


async def _with_details(uow: EligibilityUnitPort, row: dict[str, Any]) -> dict[str, Any]:
    payload = await uow.payloads.get(row["payload_id"]) if row.get("payload_id") else None
    return {**row, "register_details": payload}


async def list_items(
    uow: EligibilityUnitPort, list_name: str, open_only: bool, limit: int, after: int | None
) -> ItemListing:
    async with uow:
        rows = await uow.register.items(list_name, open_only, limit, after)
        items = [await _with_details(uow, r) for r in rows]
        await uow.audit.record(
            subjects=sorted({r["addressee_number"] for r in rows}),
            detail={"view": f"resident-register-{list_name}", "count": len(rows)},
        )
        full = len(rows) >= limit
        return ItemListing(items, rows[-1]["position"] if rows and full else None)


async def close_item(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    item_id: UUID,
    resolution: Resolution,
    user_id: str,
) -> dict[str, Any]:
    async with uow:
        register = uow.register
        row = await register.item(item_id, lock=True)
        if row is None:
            raise WorkItemNotFound(item_id)
        if row["status"] != "open":
            raise ItemAlreadyClosed(item_id)
        await register.close(item_id, resolution, user_id, ports.now())
        if row.get("payload_id"):
            await uow.payloads.forget(row["payload_id"], "register item closed")
        await uow.audit.record(
            subjects=[row["addressee_number"]],
            detail={"register_item": str(item_id), "resolution": resolution},
        )
        closed = await register.item(item_id)
        assert closed is not None
        return {**closed, "register_details": None}


async def intake_of(uow: EligibilityUnitPort, register_change_id: str) -> dict[str, Any]:
    async with uow:
        row = await uow.register.intake(register_change_id)
        if row is None:
            raise RegisterChangeNotFound(register_change_id)
        await uow.audit.record(
            subjects=[row["addressee_number"]],
            detail={"view": "resident-register-change", "register_change_id": register_change_id},
        )
        return row
