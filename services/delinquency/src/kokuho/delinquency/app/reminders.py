"""Reminders: the call list for the tax notification centre (an audited read), the results it
returns (each a negotiation record, all or nothing), and the reminder letters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kokuho.delinquency.app.cases import apply
from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.domain.errors import CaseNotFound, LetterNotFound
from kokuho.delinquency.domain.model import Case, Letter
from kokuho.delinquency.domain.negotiation import RecordNegotiation
from kokuho.delinquency.domain.reminders import CallItem, call_list


async def calls(uow: DelinquencyUnitPort, today: date) -> list[CallItem]:
    async with uow:
        items = call_list(await uow.cases.all(), today)
        await uow.audit.record(subjects=[i.household for i in items], detail={"read": "call-list"})
        return items


async def take_results(
    uow: DelinquencyUnitPort, results: Sequence[tuple[str, RecordNegotiation]]
) -> int:
    """The notification centre's results, one negotiation record each; one refusal refuses
    them all (nothing half-applied)."""
    async with uow:
        for household, command in results:
            if await uow.cases.get(household) is None:
                raise CaseNotFound(f"no case for household {household}")
            await apply(uow, household, command)
        await uow.audit.record(
            subjects=sorted({h for h, _ in results}), detail={"call_results": len(results)}
        )
        return len(results)


async def letter(uow: DelinquencyUnitPort, household: str, letter_id: str) -> tuple[Case, Letter]:
    async with uow:
        case = await uow.cases.get(household)
        if case is None:
            raise CaseNotFound(f"no case for household {household}")
        found = next((x for x in case.letters if x.letter_id == letter_id), None)
        if found is None:
            raise LetterNotFound(f"no reminder letter {letter_id}")
        await uow.audit.record(subjects=[household], detail={"read": "reminder-letter"})
        return case, found
