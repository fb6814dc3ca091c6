"""The income import keeps only subjects' lines (C-06, issue 13) and states the income facts
benefits needs on the restricted topic (ADR 0045, issue 11): format 2 read and checked, the
discarded lines counted in the record and the event, facts only once every member's figures
are in, never on the general topic; the 無所得申立 states zeros; whom to ask for again."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kokuho.assessment.adapters.memory import InMemoryAssessmentStore, InMemoryAssessmentUnit
from kokuho.assessment.app import income
from kokuho.assessment.app.ports import HouseholdRow, MemberRow
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.income_file import (
    BENEFIT_COLUMNS,
    COLUMNS,
    COLUMNS_2,
    BenefitFigures,
    parse_income_file,
)
from kokuho.events.contracts.assessment import (
    EVENTS_TOPIC,
    INCOME_FACTS_TOPIC,
    HouseholdIncomeFactsStated,
    IncomeImportApplied,
    income_facts_topic,
)
from kokuho.events.testing.fakes import InMemoryEventStore
from kokuho.platform.unit_of_work import RecordingAudit

RULES = CityRulebook("hiroshima", None)
TODAY = date(2026, 6, 1)
HOUSEHOLD = "9000000101"
ELDER, SPOUSE, HEAD, STRANGER = "1000000101", "1000000102", "1000000103", "1000000199"
HEADER_2 = ",".join(COLUMNS_2)


def line(number: str, birth: str, salary: int, taxable: int, other_revenue: int = 0) -> str:
    """A format-2 line: 給与収入 = 給与所得 + 1,000,000, no pension."""
    return (
        f"{number},2025,{birth},1,{salary + 1_000_000},{salary},0,0,0,0,0,0,taxable,"
        f"{taxable},{other_revenue}"
    )


def store_with(*members: MemberRow, head: str = ELDER) -> InMemoryAssessmentStore:
    store = InMemoryAssessmentStore()
    store.households[HOUSEHOLD] = HouseholdRow(HOUSEHOLD, head, members=members)
    return store


def couple() -> InMemoryAssessmentStore:
    return store_with(MemberRow(ELDER, date(1954, 5, 5)), MemberRow(SPOUSE, date(1970, 1, 1)))


async def run(
    store: InMemoryAssessmentStore, events: InMemoryEventStore, text: str
) -> tuple[income.ImportOutcome, InMemoryAssessmentUnit]:
    uow = InMemoryAssessmentUnit(store, events)
    command = income.ImportIncome("tax.csv", text, False, "U-BATCH", TODAY)
    return await income.import_income(uow, RULES, command), uow


def facts(events: InMemoryEventStore) -> list[dict[str, Any]]:
    return [
        r.envelope.data
        for stream, recorded in events.streams.items()
        if stream.startswith("income-facts-")
        for r in recorded
    ]


def test_format_2_is_read_and_format_1_stays_valid() -> None:
    parsed = parse_income_file(
        f"{HEADER_2}\n{line(ELDER, '1954-05-05', 2_000_000, 1_450_000, 7)}\n"
    )
    assert parsed.valid
    (record,) = parsed.records
    assert record.benefit_figures == BenefitFigures(taxable_income=1_450_000, other_revenue=7)
    old = parse_income_file(
        ",".join(COLUMNS) + f"\n{ELDER},2025,1954-05-05,1,0,0,0,0,0,0,0,0,taxable\n"
    )
    assert old.valid
    assert old.records[0].benefit_figures is None


def test_format_2_figures_are_checked_line_by_line() -> None:
    text = "\n".join(
        [
            HEADER_2,
            line(ELDER, "1954-05-05", 2_000_000, 2_000_000),  # 課税標準額 = the income: allowed
            line(SPOUSE, "1970-01-01", 2_000_000, 2_000_001),  # one yen above
            line(HEAD, "1960-01-01", 0, 0)[:-2] + ",x",
            line(STRANGER, "1960-01-01", 0, 0) + ",0",  # a field too many
            "",
        ]
    )
    parsed = parse_income_file(text)
    assert [(r.line, r.field) for r in parsed.refused] == [
        (3, "taxable_income"),
        (4, "other_revenue"),
        (5, None),
    ]
    assert "exceeds" in parsed.refused[0].reason
    assert "expected 15 fields" in parsed.refused[2].reason


def test_another_header_names_both_formats() -> None:
    parsed = parse_income_file(",".join((*COLUMNS, "taxable_income")) + "\n")
    (refused,) = parsed.refused
    assert "format 1" in refused.reason
    assert ",".join(BENEFIT_COLUMNS) in refused.reason


async def test_only_subjects_lines_are_kept_and_the_rest_counted() -> None:
    store, events = couple(), InMemoryEventStore(source="/kokuho/assessment")
    text = "\n".join(
        [
            HEADER_2,
            line(ELDER, "1954-05-05", 2_000_000, 1_500_000),
            line(STRANGER, "1960-01-01", 9_000_000, 8_000_000),
            line(SPOUSE, "1970-01-01", 0, 0),
            "",
        ]
    )
    outcome, uow = await run(store, events, text)
    assert set(store.income) == {(ELDER, 2025), (SPOUSE, 2025)}  # the stranger is not stored
    (receipt,) = store.imports
    assert (receipt.lines, receipt.applied_lines, receipt.discarded_non_subjects) == (3, 2, 1)
    assert outcome.subjects == [ELDER, SPOUSE]
    (applied,) = [
        r.envelope.data
        for stream, recorded in events.streams.items()
        if stream.startswith("income-import-")
        for r in recorded
    ]
    assert (applied["applied"], applied["discarded"]) == (2, 1)
    assert IncomeImportApplied.model_validate(applied).discarded == 1
    assert isinstance(uow.audit, RecordingAudit)
    (audit,) = uow.audit.records
    assert STRANGER not in audit["subjects"]
    assert audit["detail"]["discarded_non_subjects"] == 1


async def test_a_file_of_strangers_only_is_recorded_and_stores_nothing() -> None:
    store, events = couple(), InMemoryEventStore(source="/kokuho/assessment")
    outcome, _ = await run(store, events, f"{HEADER_2}\n{line(STRANGER, '1960-01-01', 1, 0)}\n")
    assert store.income == {}
    assert (outcome.receipt.applied_lines, outcome.receipt.discarded_non_subjects) == (0, 1)
    assert outcome.facts_stated == 0


async def test_a_deemed_householder_is_a_subject() -> None:
    store = store_with(MemberRow(ELDER, date(1954, 5, 5)), head=HEAD)
    events = InMemoryEventStore(source="/kokuho/assessment")
    await run(store, events, f"{HEADER_2}\n{line(HEAD, '1960-01-01', 3_000_000, 2_000_000)}\n")
    assert (HEAD, 2025) in store.income


async def test_facts_are_stated_once_every_member_has_figures_on_the_restricted_topic() -> None:
    store, events = couple(), InMemoryEventStore(source="/kokuho/assessment")
    first, _ = await run(
        store, events, f"{HEADER_2}\n{line(ELDER, '1954-05-05', 2_000_000, 1_500_000, 100)}\n"
    )
    assert first.facts_stated == 0  # the spouse's income is not in yet
    assert facts(events) == []
    second, _ = await run(store, events, f"{HEADER_2}\n{line(SPOUSE, '1970-01-01', 0, 0)}\n")
    assert second.facts_stated == 1
    (stated,) = facts(events)
    event = HouseholdIncomeFactsStated.model_validate(stated)
    assert (event.nhi_household_number, event.income_year, event.cause) == (
        HOUSEHOLD,
        2025,
        "income_import",
    )
    elder = next(m for m in event.members if m.addressee_number == ELDER)
    # 旧ただし書き所得 = 2,000,000 − 430,000 (FY2026 基礎控除); 収入 = 3,000,000 + 100
    assert (elder.taxable_income, elder.old_proviso_income, elder.revenue) == (
        1_500_000,
        1_570_000,
        3_000_100,
    )
    assert elder.birth_date == date(1954, 5, 5)
    topics = {m.topic for m in events.outbox}
    assert topics == {EVENTS_TOPIC, INCOME_FACTS_TOPIC}
    facts_messages = [m for m in events.outbox if m.topic == INCOME_FACTS_TOPIC]
    assert [m.key for m in facts_messages] == [HOUSEHOLD]
    general = [m for m in events.outbox if m.topic == EVENTS_TOPIC]
    assert all(b"1570000" not in (m.value or b"") for m in general)


async def test_a_format_1_file_states_no_facts() -> None:
    store = store_with(MemberRow(ELDER, date(1954, 5, 5)))
    events = InMemoryEventStore(source="/kokuho/assessment")
    v1 = ",".join(COLUMNS) + f"\n{ELDER},2025,1954-05-05,1,3000000,2000000,0,0,0,0,0,0,taxable\n"
    outcome, _ = await run(store, events, v1)
    assert outcome.facts_stated == 0
    assert facts(events) == []


async def test_a_no_income_declaration_states_zeros() -> None:
    store = store_with(MemberRow(ELDER, date(1954, 5, 5)))
    events = InMemoryEventStore(source="/kokuho/assessment")
    await income.declare_no_income(
        InMemoryAssessmentUnit(store, events),
        RULES,
        income.DeclareNoIncome(ELDER, 2025, date(1954, 5, 5), "counter", "U-CLERK", TODAY),
    )
    (stated,) = facts(events)
    event = HouseholdIncomeFactsStated.model_validate(stated)
    assert event.cause == "no_income_declaration"
    (elder,) = event.members
    assert (elder.declared, elder.taxable_income, elder.revenue, elder.old_proviso_income) == (
        True,
        0,
        0,
        0,
    )


async def test_whom_to_ask_for_again() -> None:
    store = couple()
    events = InMemoryEventStore(source="/kokuho/assessment")
    await run(store, events, f"{HEADER_2}\n{line(ELDER, '1954-05-05', 0, 0)}\n")
    uow = InMemoryAssessmentUnit(store, events)
    assert await income.subjects_without_income(uow, 2025, 10) == [SPOUSE]
    assert await income.subjects_without_income(InMemoryAssessmentUnit(store, events), 2024, 1) == [
        ELDER
    ]


@pytest.mark.parametrize(
    ("events_topic", "facts_topic"),
    [
        ("kokuho.assessment.events", "kokuho.assessment.income-facts"),
        ("test.x.kokuho.assessment.events", "test.x.kokuho.assessment.income-facts"),
        ("test.assessment.own", "test.assessment.own.income-facts"),
    ],
)
def test_the_facts_topic_sits_beside_the_events_topic(events_topic: str, facts_topic: str) -> None:
    assert income_facts_topic(events_topic) == facts_topic
