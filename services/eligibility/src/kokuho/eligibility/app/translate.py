"""Domain events <-> public contracts. Field names are the same on both sides; the contract
adds the provenance (change id, clerks, ex officio)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from uuid import UUID

from kokuho.eligibility.app import private_events as pe
from kokuho.eligibility.domain import change as ch
from kokuho.eligibility.domain import events as ev
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as contracts

_DOMAIN_BY_NAME: dict[str, type[ev.Event]] = {cls.__name__: cls for cls in ev.ALL_EVENTS}
#: Events whose nested values evolve() does not use; they are not read back.
_NOT_READ_BACK = {"HouseholdCompositionChanged"}


@dataclasses.dataclass(frozen=True)
class Provenance:
    change_id: UUID
    entered_by: str
    confirmed_by: str | None
    ex_officio: bool = False


def to_contract(event: ev.Event, provenance: Provenance) -> EventContract:
    cls: type[EventContract] = getattr(contracts, type(event).__name__)
    data: dict[str, Any] = dataclasses.asdict(event)
    data.update(dataclasses.asdict(provenance))
    return cls.model_validate(data)


def to_domain(contract: EventContract) -> ev.Event | None:
    name = type(contract).__name__
    cls = _DOMAIN_BY_NAME.get(name)
    if cls is None or name in _NOT_READ_BACK:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: v for k, v in contract.model_dump().items() if k in names}
    if "members" in values and cls in (ev.HouseholdSplit, ev.HouseholdMerged):
        values["members"] = tuple(ev.MemberMoved(**m) for m in values["members"])
    if "changed_fields" in values:
        values["changed_fields"] = tuple(values["changed_fields"])
    if "certificate_id" in values:
        values["certificate_id"] = str(values["certificate_id"])
    if values.get("reissue_of") is not None:
        values["reissue_of"] = str(values["reissue_of"])
    return cls(**values)


def _entered(x: pe.ChangeEntered) -> ch.ChangeEvent:
    return ch.ChangeEntered(
        str(x.change_id),
        x.kind,
        x.nhi_household_number,
        tuple(x.subjects),
        x.entered_by,
        x.entered_at,
    )


def _confirmed(x: pe.ChangeConfirmed) -> ch.ChangeEvent:
    return ch.ChangeConfirmed(str(x.change_id), x.confirmed_by, x.confirmed_at)


def _rejected(x: pe.ChangeRejected) -> ch.ChangeEvent:
    return ch.ChangeRejected(str(x.change_id), x.rejected_by, x.rejected_at, "")


_CHANGE_EVENTS: dict[type[EventContract], Callable[[Any], ch.ChangeEvent]] = {
    pe.ChangeEntered: _entered,
    pe.ChangeConfirmed: _confirmed,
    pe.ChangeRejected: _rejected,
}


def change_to_domain(contract: EventContract) -> ch.ChangeEvent | None:
    """A change stream's private event as the domain's (None: not a change event)."""
    convert = _CHANGE_EVENTS.get(type(contract))
    return convert(contract) if convert is not None else None
