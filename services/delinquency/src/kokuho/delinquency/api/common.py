"""What every case route shares: run one command on a household's case in the write context
and answer the case (with the new act's id)."""

from __future__ import annotations

from uuid import uuid4

from kokuho.delinquency.api.schemas import ActOut, CaseOut
from kokuho.delinquency.app import cases
from kokuho.platform.calls import Call


def new_id() -> str:
    return uuid4().hex


async def act(write: Call, household: str, command: object, act_id: str) -> ActOut:
    """A new act (201): its id and the case."""
    return await write.run(
        lambda uow: cases.execute(uow, household, command),
        lambda case: ActOut(id=act_id, case=CaseOut.of(case)),
        status_code=201,
    )


async def change(write: Call, household: str, command: object) -> CaseOut:
    """A change to something that exists (200): the case."""
    return await write.run(lambda uow: cases.execute(uow, household, command), CaseOut.of)
