"""The eligibility streams on the event store: load (contracts -> state) and append."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from kokuho.eligibility.app import private_events as pe
from kokuho.eligibility.app.errors import ChangeNotFound, HouseholdNotFound
from kokuho.eligibility.app.ports import EligibilityUnitPort
from kokuho.eligibility.app.translate import change_to_domain, to_domain
from kokuho.eligibility.domain import change as ch
from kokuho.eligibility.domain.household import Household, evolve, initial
from kokuho.events.contracts import EventContract, parse_data
from kokuho.events.ports import StreamAppend


def household_stream(number: str) -> str:
    return f"household-{number}"


def change_stream(change_id: UUID | str) -> str:
    return f"change-{change_id}"


@dataclass(frozen=True)
class Loaded:
    state: Household
    version: int


async def load(uow: EligibilityUnitPort, stream_id: str) -> list[EventContract]:
    return [parse_data(r.event_type, r.envelope.data) for r in await uow.events.load(stream_id)]


async def append(
    uow: EligibilityUnitPort,
    stream_id: str,
    expected_version: int,
    events: Sequence[EventContract],
    *,
    publish: bool,
    partition_key: str,
) -> None:
    """Append; ``publish`` puts the events on the service's topic through the outbox. Raises
    the store's ``ConcurrencyConflict`` when the stream moved on."""
    topic = uow.topics.events if publish else None
    await uow.events.append_batch(
        [StreamAppend(stream_id, expected_version, events, topic, partition_key)]
    )


async def load_household(uow: EligibilityUnitPort, number: str) -> Loaded:
    contracts = await load(uow, household_stream(number))
    state = initial(number)
    for contract in contracts:
        event = to_domain(contract)
        if event is not None:
            state = evolve(state, event)
    return Loaded(state, len(contracts))


async def existing_household(uow: EligibilityUnitPort, number: str) -> Loaded:
    loaded = await load_household(uow, number)
    if not loaded.state.registered:
        raise HouseholdNotFound(number)
    return loaded


async def load_change(
    uow: EligibilityUnitPort, change_id: UUID
) -> tuple[ch.Change, pe.ChangeEntered, int]:
    contracts = await load(uow, change_stream(change_id))
    if not contracts or not isinstance(contracts[0], pe.ChangeEntered):
        raise ChangeNotFound(str(change_id))
    state = ch.Change(str(change_id))
    for contract in contracts:
        event = change_to_domain(contract)
        if event is not None:
            state = ch.evolve_change(state, event)
    return state, contracts[0], len(contracts)
