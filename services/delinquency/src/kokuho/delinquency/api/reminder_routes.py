"""Reminders: the notification centre's call list and results, stop and restart with a
reason, and reminder letters (催告書 with a payment slip, PDF)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Response

from kokuho.delinquency.api.common import act, change, new_id
from kokuho.delinquency.api.deps import (
    DelinquencyDep,
    Household,
    Officer,
    ReadDep,
    Reader,
    Today,
    WriteDep,
)
from kokuho.delinquency.api.schemas import (
    ActOut,
    CallItemOut,
    CallResultsIn,
    CallResultsOut,
    CaseOut,
    LetterIn,
    ReminderStopIn,
)
from kokuho.delinquency.app import reminders
from kokuho.delinquency.domain import reminders as rules
from kokuho.delinquency.domain.negotiation import PromiseTerms, RecordNegotiation

router = APIRouter(prefix="/api/v1", tags=["reminders"])
LetterId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.get("/call-list")
async def call_list(user: Reader, ports: DelinquencyDep, read: ReadDep) -> list[CallItemOut]:
    """Who the tax notification centre calls today and what each owes (oldest first)."""
    return await read.run(
        lambda uow: reminders.calls(uow, ports.today()),
        lambda items: [CallItemOut.model_validate(asdict(i)) for i in items],
    )


@router.post("/call-results")
async def take_call_results(
    body: CallResultsIn, user: Officer, today: Today, write: WriteDep
) -> CallResultsOut:
    """The centre's results (reached, promise, refused, wrong number, absent): one negotiation
    record each, all or none."""
    commands = []
    for r in body.results:
        p = r.promise
        promise = None if p is None else PromiseTerms(new_id(), p.kind, p.promised_on, p.amount)
        command = RecordNegotiation(
            new_id(), user.user_id, body.centre_group, body.centre_division, "self",
            "notification_center", r.outcome, r.summary, r.called_on, promise, today,
        )  # fmt: skip
        commands.append((r.household, command))
    return await write.run(
        lambda uow: reminders.take_results(uow, commands),
        lambda n: CallResultsOut(recorded=n),
    )


@router.post("/cases/{household}/reminders/stop")
async def stop(
    household: Household, body: ReminderStopIn, user: Officer, today: Today, write: WriteDep
) -> CaseOut:
    command = rules.StopReminders(body.reason, user.user_id, body.on, today)
    return await change(write, household, command)


@router.post("/cases/{household}/reminders/restart")
async def restart(
    household: Household, body: ReminderStopIn, user: Officer, today: Today, write: WriteDep
) -> CaseOut:
    command = rules.RestartReminders(body.reason, user.user_id, body.on, today)
    return await change(write, household, command)


@router.post("/cases/{household}/reminder-letters", status_code=201)
async def issue_letter(
    household: Household, body: LetterIn, user: Officer, today: Today, write: WriteDep
) -> ActOut:
    """A 催告書 billing what is owed, to be paid by ``pay_by`` (default: in 10 days)."""
    letter_id = new_id()
    pay_by = body.pay_by or rules.default_pay_by(today)
    command = rules.IssueReminder(letter_id, pay_by, user.user_id, today)
    return await act(write, household, command, letter_id)


@router.get("/cases/{household}/reminder-letters/{letter_id}", response_class=Response)
async def get_letter(
    household: Household, letter_id: LetterId, user: Reader, ports: DelinquencyDep, read: ReadDep
) -> Response:
    case, letter = await read.run(
        lambda uow: reminders.letter(uow, household, letter_id), lambda x: x
    )
    return Response(ports.render_reminder(case, letter), media_type="application/pdf")
