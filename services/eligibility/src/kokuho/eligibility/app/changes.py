"""The four-eyes workflow (C-11): a clerk enters a change, a different clerk confirms or
rejects it; ex officio corrections (C-24) go the same way with their reason. Written once for
every kind in ``app/change_kinds.py``.

Each use case enters the unit of work itself and records its audit (C-45)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from kokuho.eligibility.app import private_events as pe
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.change_commands import Deciding, Decision, Entry
from kokuho.eligibility.app.change_kinds import KINDS, ChangeKind
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.app.streams import (
    Loaded,
    append,
    change_stream,
    existing_household,
    household_stream,
    load_change,
)
from kokuho.eligibility.app.translate import Provenance, to_contract
from kokuho.eligibility.domain import change as ch
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain.household import initial
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.eligibility import PersonalDetailsRecorded
from kokuho.platform.models import RequestModel


@dataclass(frozen=True)
class Outcome:
    """What a use case did: the change, its status and the events it produced."""

    change_id: UUID
    kind: str
    status: str
    nhi_household_number: str
    subjects: tuple[str, ...]
    entered_by: str
    confirmed_by: str | None
    events: tuple[EventContract, ...]


def describe(events: Sequence[EventContract]) -> list[dict[str, Any]]:
    return [{"type": x.event_type, "data": x.model_dump(mode="json")} for x in events]


@dataclass(frozen=True)
class EnterChange:
    kind: str
    body: RequestModel
    user_id: str
    household_number: str | None = None
    addressee_number: str | None = None


@dataclass(frozen=True)
class ConfirmChange:
    change_id: UUID
    user_id: str


@dataclass(frozen=True)
class RejectChange:
    change_id: UUID
    user_id: str
    reason: str


async def record_audit(uow: EligibilityUnitPort, outcome: Outcome) -> Outcome:
    await uow.audit.record(
        subjects=list(outcome.subjects),
        detail={
            "change_id": str(outcome.change_id),
            "kind": outcome.kind,
            "status": outcome.status,
        },
    )
    return outcome


def _identity(body: RequestModel) -> tuple[str | None, bool | None]:
    """C-10: how the person was identified (kept with the change; the request is erased)."""
    verification = getattr(body, "identity_verification", None)
    if isinstance(verification, rq.IdentityVerification):
        return verification.method, verification.proxy
    return None, None


def _preview(kind: ChangeKind, decision: Decision) -> list[Any]:
    others = decision.other[2] if decision.other and kind.preview_other else []
    return decision.events + others


async def enter_change(uow: EligibilityUnitPort, ports: Eligibility, cmd: EnterChange) -> Outcome:
    """Check a change against the current state (a dry run of the rules, so the clerk sees a
    refusal at once) and keep it pending for a second clerk."""
    kind = KINDS[cmd.kind]
    async with uow:
        if kind.new_household:
            number = await uow.numbers.next_household_number()
            loaded = Loaded(initial(number), 0)
        else:
            assert cmd.household_number is not None
            number = cmd.household_number
            loaded = await existing_household(uow, number)
        target = await uow.numbers.next_household_number() if kind.needs_target else None
        entry = Entry(cmd.kind, cmd.body, number, cmd.addressee_number, target)
        decision = await kind.decision(Deciding(uow, ports, allocate=False), entry, loaded)
        subjects = kind.subjects(cmd.body, cmd.addressee_number)
        change_id = uuid4()
        payload_id = await uow.payloads.put(
            subjects[0] if subjects else number,
            "change-request",
            {
                "kind": cmd.kind,
                "addressee_number": cmd.addressee_number,
                "target_household_number": target,
                "body": cmd.body.model_dump(mode="json"),
            },
        )
        method, proxy = _identity(cmd.body)
        entered = pe.ChangeEntered(
            change_id=change_id,
            kind=cmd.kind,
            nhi_household_number=number,
            subjects=list(subjects),
            entered_by=cmd.user_id,
            entered_at=ports.now(),
            payload_id=payload_id,
            ex_officio=kind.ex_officio(cmd.body),
            identity_method=method,
            by_proxy=proxy,
        )
        await append(
            uow, change_stream(change_id), 0, [entered], publish=False, partition_key=number
        )
        await uow.read_models.project([entered])
        provenance = Provenance(change_id, cmd.user_id, None, entered.ex_officio)
        preview = tuple(to_contract(x, provenance) for x in _preview(kind, decision))
        outcome = Outcome(
            change_id, cmd.kind, "pending", number, subjects, cmd.user_id, None, preview
        )
        return await record_audit(uow, outcome)


async def _entry_of(uow: EligibilityUnitPort, entered: pe.ChangeEntered) -> Entry:
    payload = await uow.payloads.get(entered.payload_id)
    if payload is None:  # erased before confirmation
        raise e.ChangeNotPending(str(entered.change_id), "erased")
    target = payload.get("target_household_number")
    return Entry(
        entered.kind,
        KINDS[entered.kind].request.model_validate(payload["body"]),
        entered.nhi_household_number,
        payload.get("addressee_number"),
        str(target) if target is not None else None,
    )


async def _apply(
    uow: EligibilityUnitPort, decision: Decision, loaded: Loaded, number: str, p: Provenance
) -> list[EventContract]:
    """Append the decided events to the household's stream (and the other household's) and
    project them; returns every contract appended."""
    contracts = [to_contract(x, p) for x in decision.events]
    await append(
        uow, household_stream(number), loaded.version, contracts, publish=True, partition_key=number
    )
    other_contracts: list[EventContract] = []
    if decision.other is not None:
        other_number, other_loaded, other_events = decision.other
        other_contracts = [to_contract(x, p) for x in other_events]
        await append(
            uow,
            household_stream(other_number),
            other_loaded.version,
            other_contracts,
            publish=True,
            partition_key=other_number,
        )
        # The split/merge event is in both streams; the read model takes it once, from the
        # source, after the other household exists in it.
        moves = (ce.HouseholdSplit, ce.HouseholdMerged)
        await uow.read_models.project([x for x in other_contracts if not isinstance(x, moves)])
    await uow.read_models.project(contracts)
    return contracts + other_contracts


async def _keep_beside(
    uow: EligibilityUnitPort, kind: ChangeKind, entry: Entry, household: str
) -> None:
    """The personal details and facility places the change brings (never in an event)."""
    for number, details, as_of in kind.details(entry.body, entry.addressee):
        await uow.persons.record(
            PersonalDetailsRecorded(
                addressee_number=number,
                nhi_household_number=household,
                as_of=as_of,
                **details.model_dump(),
            )
        )
    for addressee, case_kind, name, address in kind.places(entry.body, entry.addressee):
        await uow.records.special_case_place(addressee, case_kind, name, address)


async def confirm_change(
    uow: EligibilityUnitPort, ports: Eligibility, cmd: ConfirmChange
) -> Outcome:
    async with uow:
        state, entered, version = await load_change(uow, cmd.change_id)
        (confirmed,) = ch.decide_change(state, ch.ConfirmChange(cmd.user_id, ports.now()))
        assert isinstance(confirmed, ch.ChangeConfirmed)
        entry = await _entry_of(uow, entered)
        kind = KINDS[entered.kind]
        number = entered.nhi_household_number
        loaded = (
            Loaded(initial(number), 0)
            if kind.new_household
            else await existing_household(uow, number)
        )
        decision = await kind.decision(Deciding(uow, ports, allocate=True), entry, loaded)
        provenance = Provenance(cmd.change_id, entered.entered_by, cmd.user_id, entered.ex_officio)
        contracts = await _apply(uow, decision, loaded, number, provenance)
        await _keep_beside(uow, kind, entry, decision.other[0] if decision.other else number)
        if kind.after_confirm is not None:
            await kind.after_confirm(uow, entry.body, contracts)
        # The request (with names and addresses) has served its purpose: keep no copy.
        await uow.payloads.forget(entered.payload_id, "change confirmed")
        done = pe.ChangeConfirmed(
            change_id=cmd.change_id, confirmed_by=cmd.user_id, confirmed_at=confirmed.confirmed_at
        )
        await append(
            uow, change_stream(cmd.change_id), version, [done], publish=False, partition_key=number
        )
        await uow.read_models.project([done])
        outcome = Outcome(
            cmd.change_id,
            entered.kind,
            "confirmed",
            number,
            tuple(entered.subjects),
            entered.entered_by,
            cmd.user_id,
            tuple(contracts),
        )
        return await record_audit(uow, outcome)


async def reject_change(uow: EligibilityUnitPort, ports: Eligibility, cmd: RejectChange) -> Outcome:
    async with uow:
        state, entered, version = await load_change(uow, cmd.change_id)
        ch.decide_change(state, ch.RejectChange(cmd.user_id, ports.now(), cmd.reason))
        await uow.payloads.forget(entered.payload_id, "change rejected")
        reason_id = await uow.payloads.put(
            entered.subjects[0] if entered.subjects else entered.nhi_household_number,
            "change-rejection",
            {"reason": cmd.reason},
        )
        done = pe.ChangeRejected(
            change_id=cmd.change_id,
            rejected_by=cmd.user_id,
            rejected_at=ports.now(),
            reason_payload_id=reason_id,
        )
        await append(
            uow,
            change_stream(cmd.change_id),
            version,
            [done],
            publish=False,
            partition_key=entered.nhi_household_number,
        )
        await uow.read_models.project([done])
        outcome = Outcome(
            cmd.change_id,
            entered.kind,
            "rejected",
            entered.nhi_household_number,
            tuple(entered.subjects),
            entered.entered_by,
            None,
            (),
        )
        return await record_audit(uow, outcome)
