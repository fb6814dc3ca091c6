"""Reads for the back office: the open work list (audited: it names households)."""

from __future__ import annotations

from kokuho.collection.app.ports import CollectionUnitPort, WorkItem


async def work_items(uow: CollectionUnitPort, limit: int, after: str | None) -> list[WorkItem]:
    async with uow:
        items = await uow.work_items.open_items(limit, after)
        await uow.audit.record(
            subjects=sorted({i.household for i in items if i.household}),
            detail={"work_items": len(items)},
        )
        return items
