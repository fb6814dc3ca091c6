"""Use cases of the 70–74 co-payment rate: decide it on a household's income facts (the
amounts are judged and dropped; only the categories and the rate are kept and published), and
read the decision in force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort
from kokuho.benefits.domain import copayment_rate as rate
from kokuho.benefits.domain.errors import CopaymentRateNotFound
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.registry import parse_data
from kokuho.events.ports import RecordedEvent, StreamAppend


@dataclass(frozen=True)
class Decided:
    rate: rate.CopaymentRate
    changed: bool  # False: the same outcome was in force already


def to_contract(event: rate.CopaymentRateDecided) -> contracts.CopaymentRateDecided:
    return contracts.CopaymentRateDecided(
        nhi_household_number=event.nhi_household_number,
        income_year=event.income_year,
        effective_from=event.effective_from,
        effective_to=event.effective_to,
        under_70_category=event.under_70_category.value,
        elderly_category=event.elderly_category.value if event.elderly_category else None,
        copayment_rate_percent=event.copayment_rate_percent,  # type: ignore[arg-type]
        addressee_numbers=list(event.addressee_numbers),
        decided_by=event.decided_by,
        decided_on=event.decided_on,
    )


def from_recorded(recorded: RecordedEvent) -> rate.CopaymentRateDecided:
    data = parse_data(recorded.event_type, recorded.envelope.data)
    if not isinstance(data, contracts.CopaymentRateDecided):
        raise TypeError(f"{recorded.event_type} is not an event of a co-payment rate")
    return rate.CopaymentRateDecided(
        data.nhi_household_number,
        data.income_year,
        data.effective_from,
        data.effective_to,
        Under70Category(data.under_70_category),
        ElderlyCategory(data.elderly_category) if data.elderly_category else None,
        data.copayment_rate_percent,
        tuple(data.addressee_numbers),
        data.decided_by,
        data.decided_on,
        (),  # the basis is explained in the read model, not on the topic
    )


def _version(history: Sequence[RecordedEvent]) -> int:
    return history[-1].version if history else 0


async def decide_copayment_rate(
    uow: BenefitsUnitPort, ports: Benefits, command: rate.DecideCopaymentRate
) -> Decided:
    facts = command.facts
    stream = rate.stream_id(facts.nhi_household_number, facts.income_year)
    async with uow:
        history = await uow.events.load(stream)
        state = rate.replay(from_recorded(r) for r in history)
        events = rate.decide(state, command, ports.income_lines)
        if events:
            await uow.events.append_batch(
                [
                    StreamAppend(
                        stream,
                        _version(history),
                        [to_contract(e) for e in events],
                        topic=uow.topic,
                        partition_key=facts.nhi_household_number,
                    )
                ]
            )
        current = rate.replay(events, state)
        assert current is not None
        if events:
            await uow.copayment_rates.put(current)
        await uow.audit.record(
            subjects=sorted(m.addressee_number for m in facts.members),
            detail={
                "nhi_household_number": facts.nhi_household_number,
                "income_year": facts.income_year,
                "changed": bool(events),
            },
        )
        return Decided(current, bool(events))


async def read_copayment_rate(
    uow: BenefitsUnitPort, nhi_household_number: str, income_year: int
) -> rate.CopaymentRate:
    async with uow:
        found = await uow.copayment_rates.get(nhi_household_number, income_year)
        if found is None:
            raise CopaymentRateNotFound(
                f"nhi_household_number: no co-payment rate for {income_year}"
            )
        await uow.audit.record(
            subjects=list(found.addressee_numbers) or [nhi_household_number],
            detail={"nhi_household_number": nhi_household_number, "income_year": income_year},
        )
        return found
