"""Domain events to stored events and back: the public ones as the contracts of
``kokuho.events.contracts.delinquency`` (published), every other one as a private
``CaseRecorded`` (kept in this service's event store only, C-08)."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from pydantic import Field

from kokuho.delinquency.app.codec import decode, encode
from kokuho.delinquency.domain import events as ev
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import delinquency as contracts
from kokuho.events.contracts.registry import parse_data
from kokuho.events.ports import RecordedEvent


class CaseRecorded(EventContract):
    """A private event of a case (never on a topic): its kind and its fields."""

    event_type = "jp.kokuho.delinquency.case_recorded.v1"

    kind: str = Field(max_length=64)
    data: dict[str, Any]


KINDS: dict[str, type] = {cls.__name__: cls for cls in typing.get_args(ev.Event)}
PUBLIC: dict[type, type[EventContract]] = {
    ev.ProceedsCollected: contracts.ProceedsCollected,
    ev.PrescriptionRenewed: contracts.PrescriptionRenewed,
    ev.ArrearWrittenOff: contracts.ArrearWrittenOff,
    ev.SpecialCareFlagged: contracts.SpecialCareFlagged,
    ev.SpecialCareCleared: contracts.SpecialCareCleared,
    ev.BenefitsWithheld: contracts.BenefitsWithheld,
    ev.BenefitsReleased: contracts.BenefitsReleased,
}
BY_CONTRACT = {c.event_type: d for d, c in PUBLIC.items()}


def is_public(event: object) -> bool:
    return type(event) in PUBLIC and not (
        isinstance(event, ev.PrescriptionRenewed) and event.act == "dunning"
    )


def to_contract(event: Any, household: str) -> EventContract:
    data = encode(event)
    if is_public(event):
        data["effective_on"] = data.pop("on")
        return PUBLIC[type(event)].model_validate({"nhi_household_number": household, **data})
    return CaseRecorded(kind=type(event).__name__, data=data)


def from_recorded(recorded: RecordedEvent) -> Any:
    data = parse_data(recorded.event_type, recorded.envelope.data)
    if isinstance(data, CaseRecorded):
        return decode(KINDS[data.kind], data.data)
    kind = BY_CONTRACT[recorded.event_type]
    fields = data.model_dump(mode="json")
    fields["on"] = fields.pop("effective_on")
    return decode(kind, {f.name: fields[f.name] for f in dataclasses.fields(kind)})
