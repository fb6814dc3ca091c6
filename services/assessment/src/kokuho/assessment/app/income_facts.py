"""What benefits needs of a household's income (ADR 0045): after an income change, each
household it touches is stated on the restricted income-facts topic, per income year, once
every member and the householder have a recorded income with benefits' figures (an income
file of format 2, or a 無所得申立). Benefits decides 所得区分 and the 70–74 rate from it; the
thresholds stay benefits' own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from uuid import uuid4

from kokuho.assessment.app.ports import AssessmentUnitPort, HouseholdRow, ParametersFor
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.events.contracts.assessment import (
    HouseholdIncomeFactsStated,
    IncomeFactsMember,
    SpecifiedMemberRevenue,
)
from kokuho.events.ports import EventContext, StreamAppend

log = logging.getLogger(__name__)


def _member(record: IncomeRecord, birth_date: date, insured: bool, basic: int) -> IncomeFactsMember:
    income = record.income
    figures = record.benefit_figures
    assert figures is not None  # checked by the caller
    total = income.salary_income + income.pension_income + income.other_income
    return IncomeFactsMember(
        addressee_number=record.addressee_number,
        birth_date=birth_date,
        insured=insured,
        declared=income.declared,
        resident_tax_exempt=record.resident_tax_status == "non_taxable",
        taxable_income=figures.taxable_income,
        old_proviso_income=max(0, total - basic),
        revenue=income.salary_revenue + income.pension_revenue + figures.other_revenue,
        salary_income=income.salary_income,
        pension_revenue=income.pension_revenue,
        other_income=income.other_income,
    )


def household_facts(
    household: HouseholdRow,
    records: dict[str, IncomeRecord],
    income_year: int,
    basic_deduction: int,
    *,
    today: date,
    cause: str,
    actor: str,
) -> HouseholdIncomeFactsStated | None:
    """The household's facts, or None while someone's figures are missing (benefits then has
    nothing to decide on; the clerk may decide by benefits' API)."""
    current = [
        m for m in household.members if m.insured and (m.loss_date is None or m.loss_date > today)
    ]
    numbers = {m.addressee_number for m in current}
    people: list[tuple[str, date, bool]] = [
        (m.addressee_number, m.birth_date, True) for m in current
    ]
    head = household.householder_addressee_number
    if head not in numbers:
        birth = next((m.birth_date for m in household.members if m.addressee_number == head), None)
        head_record = records.get(head)
        if birth is None and head_record is not None:
            birth = head_record.birth_date
        if birth is None:
            return None
        people.append((head, birth, False))  # the deemed householder (擬制世帯主)
    if not current:
        return None
    members: list[IncomeFactsMember] = []
    for number, birth, insured in people:
        record = records.get(number)
        if record is None or record.benefit_figures is None:
            return None
        members.append(_member(record, birth, insured, basic_deduction))
    specified = [
        SpecifiedMemberRevenue(
            addressee_number=m.addressee_number,
            revenue=member.revenue,
        )
        for m in household.members
        if m.specified_same_household and not m.insured
        for record in [records.get(m.addressee_number)]
        if record is not None and record.benefit_figures is not None
        for member in [_member(record, m.birth_date, False, basic_deduction)]
    ]
    return HouseholdIncomeFactsStated(
        nhi_household_number=household.nhi_household_number,
        income_year=income_year,
        householder_addressee_number=head,
        members=members,
        specified_same_household=specified,
        cause=cause,  # type: ignore[arg-type]
        stated_on=today,
        stated_by=actor,
    )


async def state_income_facts(
    uow: AssessmentUnitPort,
    rules: ParametersFor,
    people: Iterable[tuple[str, int]],
    *,
    cause: str,
    actor: str,
    today: date,
    context: EventContext | None = None,
) -> int:
    """State the facts of every household the (person, income year) pairs touch, on the unit's
    restricted ``facts_topic``; returns how many were stated."""
    by_year: dict[int, set[str]] = {}
    for number, year in people:
        by_year.setdefault(year, set()).add(number)
    appends: list[StreamAppend] = []
    for year, numbers in sorted(by_year.items()):
        try:
            # 旧ただし書き所得 uses the 基礎控除 of the fiscal year the income is assessed for
            basic = rules(year + 1).basic_deduction
        except AssessmentError as exc:
            log.warning("income facts of %s not stated: %s", year, type(exc).__name__)
            continue
        for number in await uow.incomes.households_of(sorted(numbers)):
            household = await uow.households.load_household(number)
            if household is None:
                continue
            everyone = {m.addressee_number for m in household.members}
            everyone.add(household.householder_addressee_number)
            records = await uow.incomes.incomes(sorted(everyone), year)
            facts = household_facts(
                household, records, year, basic, today=today, cause=cause, actor=actor
            )
            if facts is None:
                continue
            appends.append(
                StreamAppend(
                    # each statement stands alone: the latest one of a household and year holds
                    f"income-facts-{number}-{year}-{uuid4()}",
                    0,
                    [facts],
                    topic=uow.facts_topic,
                    partition_key=number,
                    context=context or EventContext(),
                )
            )
    if appends:
        await uow.events.append_batch(appends)
    return len(appends)
