"""The resident-register intake (SF-Q03, ADR 0015): each change of the register's feed is taken
in once (by its change id) and becomes a pending ex officio change for one clerk, a work-list
item with a due date, or a review with its reason (``domain/resident_register.py`` decides).

Use cases: ``take_in`` (one change, one transaction) and ``take_in_file`` (a JSON Lines file, all
or nothing); the feed is read in ``register_pull``, the lists are kept in ``register_lists``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID, uuid4

from pydantic import ValidationError

from kokuho.eligibility.app import register_requests as rr
from kokuho.eligibility.app.changes import EnterChange, enter_change
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.app.register_feed import FeedChange, LineError, parse_lines
from kokuho.eligibility.app.register_ports import IntakeRecord, Item, Outcome
from kokuho.eligibility.app.requests import PersonalDetails
from kokuho.eligibility.app.streams import existing_household
from kokuho.eligibility.domain import resident_register as d
from kokuho.platform.errors import DomainError

#: Who enters the register's changes (the confirming clerk is always someone else, C-11).
REGISTER_CLERK = "resident-register"


@dataclass(frozen=True)
class IntakeParameters:
    """From ``parameters/resident_register.toml``."""

    due_days: int
    page_size: int = 500


@dataclass(frozen=True)
class Taken:
    """What became of one change: ``duplicate`` when its id was taken in before."""

    register_change_id: str
    outcome: Outcome | Literal["duplicate"]
    change_id: UUID | None = None
    item_id: UUID | None = None


class RegisterFileRejected(DomainError):
    """A file with any bad line: nothing is taken in; ``errors`` names every line."""

    status = 422
    slug = "register-file-rejected"

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} line(s) refused; nothing was taken in")
        self.errors = errors


class ChangeIdTaken(DomainError):
    status = 422
    slug = "register-change-id-taken"

    def __init__(self, register_change_id: str) -> None:
        super().__init__(
            f"register change {register_change_id} was taken in before with other content"
        )
        self.register_change_id = register_change_id


async def _known(uow: EligibilityUnitPort, addressee: str) -> d.Known:
    household = await uow.qualifications.active_household_of(addressee)
    acquisition: date | None = None
    special_cases: frozenset[str] = frozenset()
    if household is not None:
        loaded = await existing_household(uow, household)
        member = loaded.state.active_member(addressee)
        acquisition, special_cases = member.acquisition_date, member.special_cases
    _, last_loss = await uow.qualifications.summary(addressee)
    held = await uow.persons.details(addressee)
    own = {"addressee_number", "nhi_household_number", "as_of"}
    details = held.model_dump(exclude=own) if held else None
    return d.Known(household, acquisition, last_loss, details, special_cases)


def _actor(source: str) -> str:
    return f"{REGISTER_CLERK}:{source}"[:64]


async def _enter(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    change: FeedChange,
    routing: d.PendingLoss | d.PendingDetails,
    source: str,
) -> d.Routing | UUID:
    """Enter the pending ex officio change (a dry run of the rules first, as at the counter);
    a change the rules refuse is a contradiction of our record: a review naming the rule."""
    household = routing.household or await uow.qualifications.headed_household(
        change.addressee_number
    )
    if household is None:
        return d.Review("not-insured", "国保の資格も国保世帯主の記録もありません")
    try:
        if isinstance(routing, d.PendingLoss):
            kind = "register_loss"
            body: Any = rr.RegisterLossIn(
                addressee_number=change.addressee_number,
                reason=routing.reason,
                fact_date=change.fact_date,
                notification_date=change.notified_date,
                register_change_id=change.change_id,
            )
        else:
            kind = "register_personal_details"
            body = rr.RegisterDetailsIn(
                details=PersonalDetails.model_validate(routing.details),
                fact_date=change.fact_date,
                notification_date=change.notified_date,
                register_change_id=change.change_id,
            )
        outcome = await enter_change(
            uow,
            ports,
            EnterChange(kind, body, _actor(source), household, change.addressee_number),
        )
    except ValidationError as refused:
        fields = ", ".join(".".join(str(p) for p in x["loc"]) for x in refused.errors())
        return d.Review("details-not-accepted", f"記録できない項目: {fields}")
    except DomainError as refused:
        return d.Review(type(refused).problem_slug(), str(refused))
    return outcome.change_id


async def _route(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    parameters: IntakeParameters,
    change: FeedChange,
    source: str,
) -> tuple[d.Routing, UUID | None]:
    """Where the change goes, and the pending ex officio change it entered (None: none). A
    person's change of the same kind still waiting for confirmation makes it a review."""
    routing = d.route(
        change.to_domain(), await _known(uow, change.addressee_number), parameters.due_days
    )
    if isinstance(routing, d.PendingLoss | d.PendingDetails):
        waiting = await uow.register.pending_change(change.addressee_number, change.kind)
        if waiting is not None:
            routing = d.Review(
                "change-pending", f"同じ異動の変更 {waiting} が確認待ちです (二重に入れません)"
            )
    if isinstance(routing, d.PendingLoss | d.PendingDetails):
        entered = await _enter(uow, ports, change, routing, source)
        if isinstance(entered, UUID):
            return routing, entered
        routing = entered
    return routing, None


async def take_in(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    parameters: IntakeParameters,
    change: FeedChange,
    source: str,
) -> Taken:
    """Take one change in (once: a change id seen before with the same content is a
    duplicate, with other content a refusal)."""
    async with uow:
        register = uow.register
        digest = change.digest()
        seen = await register.digest_of(change.change_id)
        if seen == digest:
            return Taken(change.change_id, "duplicate")
        if seen is not None:
            raise ChangeIdTaken(change.change_id)
        routing, change_id = await _route(uow, ports, parameters, change, source)
        item = await _item(uow, change, routing)
        if change_id is not None and isinstance(routing, d.PendingLoss):
            item = await _householder_left(uow, change, routing, parameters)
        outcome: Outcome = (
            "pending-change"
            if change_id is not None
            else "work-item"
            if isinstance(routing, d.WorkItem)
            else "review"
            if isinstance(routing, d.Review)
            else "already-so"
        )
        record = IntakeRecord(
            change.change_id,
            digest,
            source,
            change.kind,
            change.addressee_number,
            change.fact_date,
            change.notified_date,
            outcome,
            change_id,
        )
        await register.take(record, item)
        await uow.audit.record(
            subjects=[change.addressee_number],
            detail={
                "register_change_id": change.change_id,
                "kind": change.kind,
                "outcome": outcome,
            },
        )
        return Taken(change.change_id, outcome, change_id, item.item_id if item else None)


async def _item(uow: EligibilityUnitPort, change: FeedChange, routing: d.Routing) -> Item | None:
    if not isinstance(routing, d.WorkItem | d.Review):
        return None
    payload_id = None
    if change.details is not None or change.household is not None:
        # the register's details, for the clerk who takes the item up (erasable, C-95)
        payload_id = await uow.payloads.put(
            change.addressee_number,
            "resident-register-change",
            change.model_dump(mode="json", include={"details", "household"}),
        )
    if isinstance(routing, d.WorkItem):
        return Item(uuid4(), "work", routing.household, routing.due_date, payload_id=payload_id)
    household = await uow.qualifications.active_household_of(change.addressee_number)
    return Item(
        uuid4(),
        "review",
        household,
        reason_code=routing.reason_code,
        reason=routing.reason,
        payload_id=payload_id,
    )


async def _householder_left(
    uow: EligibilityUnitPort,
    change: FeedChange,
    routing: d.PendingLoss,
    parameters: IntakeParameters,
) -> Item | None:
    """The householder dies or moves out while others stay insured: besides the loss, the
    household needs a new householder (世帯主変更, at the counter): a work-list item."""
    loaded = await existing_household(uow, routing.household)
    state = loaded.state
    others = [m for m in state.active_members if m.addressee_number != change.addressee_number]
    if state.householder_addressee_number != change.addressee_number or not others:
        return None
    return Item(
        uuid4(),
        "work",
        routing.household,
        d.due_date(change.to_domain(), parameters.due_days),
        reason_code="householder-change-needed",
        reason="世帯主の死亡・転出: 世帯主変更の届出が必要です",
    )


@dataclass(frozen=True)
class FileResult:
    file_name: str
    lines: int
    counts: dict[str, int]
    taken: list[Taken]


async def take_in_file(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    parameters: IntakeParameters,
    file_name: str,
    content: str,
) -> FileResult:
    """A JSON Lines file of the register, all or nothing: any bad line refuses the file
    (every line's number and reason) and nothing is taken in."""
    lines, errors = parse_lines(content)
    if errors:
        raise RegisterFileRejected(errors)
    taken = []
    async with uow:
        register = uow.register
        for number, change in lines:
            seen = await register.digest_of(change.change_id)
            if seen is not None and seen != change.digest():
                errors.append(LineError(number, str(ChangeIdTaken(change.change_id))))
        if errors:
            raise RegisterFileRejected(errors)
        for _, change in lines:
            taken.append(await take_in(uow, ports, parameters, change, f"file:{file_name}"))
        await uow.audit.record(
            subjects=sorted({c.addressee_number for _, c in lines}),
            detail={"resident_register_file": file_name, "lines": len(lines)},
        )
    counts: Counter[str] = Counter(t.outcome for t in taken)
    return FileResult(file_name, len(lines), dict(counts), taken)
