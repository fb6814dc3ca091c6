"""Use cases of the 70–74 co-payment rate: decide it on a household's income facts (the
amounts are judged and dropped; only the categories and the rate are kept and published), and
read the decision in force."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort
from kokuho.benefits.domain import copayment_rate as rate
from kokuho.benefits.domain.errors import CopaymentRateNotFound
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.domain.income_category import HouseholdFacts, PersonFacts, rate_period
from kokuho.benefits.domain.income_facts import ZeroIncomeRule, age_band_in_period, is_zero_income
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.assessment import HouseholdIncomeFactsStated
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


log = logging.getLogger(__name__)

#: who decides on assessment's income facts (C-24: the process, the facts name their stater)
INCOME_FACTS_ACTOR = "system:benefits-income-facts"


def facts_of(event: HouseholdIncomeFactsStated, zero: ZeroIncomeRule) -> HouseholdFacts | str:
    """The decision's facts from assessment's statement, or why none can be decided: an
    undeclared member (how such a household is classified is ❌ rules.md §3.1: a clerk decides
    by API), or no member under 75 in the period."""
    start, end = rate_period(event.income_year)
    figures = zero.on(start)
    members: list[PersonFacts] = []
    for m in event.members:
        if not m.insured:
            continue
        band = age_band_in_period(m.birth_date, start, end)
        if band is None:
            continue  # 75 or older: 後期高齢者医療
        if not m.declared:
            return "a member's income is not declared"
        members.append(
            PersonFacts(
                m.addressee_number,
                band,
                m.resident_tax_exempt,
                m.taxable_income,
                m.old_proviso_income,
                m.revenue,
                is_zero_income(m.salary_income, m.pension_revenue, m.other_income, figures),
            )
        )
    if not members:
        return "no NHI member under 75 in the rate period"
    head = next(
        (m for m in event.members if m.addressee_number == event.householder_addressee_number),
        None,
    )
    if head is not None and not head.declared:
        return "the householder's income is not declared"
    return HouseholdFacts(
        event.nhi_household_number,
        event.income_year,
        tuple(members),
        householder_tax_exempt=head.resident_tax_exempt if head else False,
        specified_same_household_revenue=tuple(s.revenue for s in event.specified_same_household),
        householder_zero_income=(
            head is None
            or head.insured
            or is_zero_income(head.salary_income, head.pension_revenue, head.other_income, figures)
        ),
    )


async def decide_on_income_facts(
    uow: BenefitsUnitPort, ports: Benefits, event: HouseholdIncomeFactsStated, today: date
) -> Decided | None:
    """Decide 所得区分 and the 70–74 rate on assessment's statement (ADR 0045): a new
    statement of the same outcome changes nothing; None when nothing can be decided."""
    facts = facts_of(event, ports.zero_income)
    if isinstance(facts, str) or facts.income_year >= today.year:
        log.info(
            "income facts not decided",
            extra={
                "nhi_household_number": event.nhi_household_number,
                "income_year": event.income_year,
                "reason": facts if isinstance(facts, str) else "income year not ended",
            },
        )
        return None
    command = rate.DecideCopaymentRate(facts, INCOME_FACTS_ACTOR, today)
    return await decide_copayment_rate(uow, ports, command)
