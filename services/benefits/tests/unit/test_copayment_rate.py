"""The co-payment rate aggregate (decide/evolve) and its use cases on the in-memory unit."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from kokuho.benefits.adapters.memory import InMemoryBenefitsUnit
from kokuho.benefits.app.copayment_rates import decide_copayment_rate, read_copayment_rate
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.commands import DEMO_ELDER, DEMO_HOUSEHOLD, demo_facts
from kokuho.benefits.domain import copayment_rate as rate
from kokuho.benefits.domain.errors import CopaymentRateNotFound, IncomeYearNotEnded
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.events.contracts import benefits as contracts
from kokuho.platform.unit_of_work import RecordingAudit

TODAY = date(2026, 7, 10)
PORTS = Benefits(load_schedule(), load_income_lines())


def command(**change: object) -> rate.DecideCopaymentRate:
    facts = dataclasses.replace(demo_facts(2025), **change)  # type: ignore[arg-type]
    return rate.DecideCopaymentRate(facts, "U-CLERK", TODAY)


def test_decide_records_a_decision_then_nothing_for_the_same_outcome() -> None:
    [event] = rate.decide(None, command(), PORTS.income_lines)
    assert (event.copayment_rate_percent, event.elderly_category) == (30, ElderlyCategory.ACTIVE_1)
    assert (event.effective_from, event.effective_to) == (date(2026, 8, 1), date(2027, 7, 31))
    state = rate.evolve(None, event)
    assert rate.decide(state, command(), PORTS.income_lines) == []


def test_an_income_change_that_changes_the_outcome_is_a_new_decision() -> None:
    state = rate.replay(rate.decide(None, command(), PORTS.income_lines))
    poorer = dataclasses.replace(demo_facts(2025).members[0], taxable_income=1_000_000)
    facts = dataclasses.replace(demo_facts(2025), members=(poorer, demo_facts(2025).members[1]))
    [event] = rate.decide(state, rate.DecideCopaymentRate(facts, "U-2", TODAY), PORTS.income_lines)
    later = rate.evolve(state, event)
    assert (later.copayment_rate_percent, later.decisions) == (20, 2)


def test_the_income_of_a_year_not_ended_is_refused() -> None:
    with pytest.raises(IncomeYearNotEnded, match="income_year"):
        rate.decide(None, command(income_year=2026), PORTS.income_lines)


async def test_the_use_case_appends_stores_publishes_and_audits() -> None:
    uow = InMemoryBenefitsUnit(topic="test.topic")
    decided = await decide_copayment_rate(uow, PORTS, command())
    assert decided.changed
    again = await decide_copayment_rate(uow, PORTS, command())
    assert not again.changed
    [recorded] = await uow.events.load(rate.stream_id(DEMO_HOUSEHOLD, 2025))
    assert recorded.event_type == contracts.CopaymentRateDecided.event_type
    [message] = uow.events.outbox
    assert (message.topic, message.key) == ("test.topic", DEMO_HOUSEHOLD)
    stored = await read_copayment_rate(uow, DEMO_HOUSEHOLD, 2025)
    assert stored.addressee_numbers == (DEMO_ELDER,)
    assert stored.basis  # the explanation is kept with the decision
    assert isinstance(uow.audit, RecordingAudit)
    assert DEMO_ELDER in uow.audit.records[0]["subjects"]
    with pytest.raises(CopaymentRateNotFound):
        await read_copayment_rate(uow, DEMO_HOUSEHOLD, 2024)


async def test_a_refused_decision_changes_nothing() -> None:
    uow = InMemoryBenefitsUnit()
    with pytest.raises(IncomeYearNotEnded):
        await decide_copayment_rate(uow, PORTS, command(income_year=2026))
    assert uow.events.outbox == []
    assert uow.copayment_rates.rows == {}
    assert (uow.commits, uow.rollbacks) == (0, 1)
