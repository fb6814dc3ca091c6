"""Domain events <-> public contracts. Field names are the same on both sides; the contract
adds the provenance (change id, clerks, ex officio)."""

from __future__ import annotations

import dataclasses
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


def change_to_domain(contract: EventContract) -> ch.ChangeEvent | None:
    if isinstance(contract, pe.ChangeEntered):
        return ch.ChangeEntered(
            str(contract.change_id),
            contract.kind,
            contract.nhi_household_number,
            tuple(contract.subjects),
            contract.entered_by,
            contract.entered_at,
        )
    if isinstance(contract, pe.ChangeConfirmed):
        return ch.ChangeConfirmed(
            str(contract.change_id), contract.confirmed_by, contract.confirmed_at
        )
    if isinstance(contract, pe.ChangeRejected):
        return ch.ChangeRejected(
            str(contract.change_id), contract.rejected_by, contract.rejected_at, ""
        )
    return None
