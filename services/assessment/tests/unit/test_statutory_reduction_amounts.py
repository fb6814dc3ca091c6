"""軽減額 (ADR 0080): the yen the statutory 7/5/2割 reduction takes off 均等割 and 平等割, per
component, for the year (prorated like the amount), as the engine gives it and as
``PremiumAssessed`` carries it; the other reductions (未就学児, 旧被扶養者) are not part of it.

Hand-worked from the Hiroshima parameter files: FY2025 医療 均等割 30,133 / 平等割 29,758, 支援
10,330 / 10,201, 介護 9,522 / 7,163; FY2026 医療 31,228 / 30,403, 支援 10,342 / 10,069, 介護
10,443 / 7,860, 子ども 1,072 (+56 for 18+) / 1,044. The members' cuts are summed and cut to the
yen on the household's sum.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from kokuho.assessment.adapters.memory import InMemoryAssessmentStore, InMemoryAssessmentUnit
from kokuho.assessment.app import income
from kokuho.assessment.app.assessing import assess_household, stream_id
from kokuho.assessment.app.deciding import same_components
from kokuho.assessment.app.ports import HouseholdRow, MemberRow
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.domain.income_file import COLUMNS
from kokuho.assessment.domain.parameters import Component, PremiumParameters
from kokuho.assessment.domain.premium import Assessment, assess
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.testing.fakes import InMemoryEventStore

MED, SUP, LTC = Component.MEDICAL, Component.ELDERLY_SUPPORT, Component.LONG_TERM_CARE
AGE_30 = date(1995, 6, 1)


def p(n: int, birth: date, **fields: Any) -> Person:
    income_fields = {k: fields.pop(k) for k in list(fields) if k in Income.__dataclass_fields__}
    return Person(f"{n:010d}", birth, Income(**income_fields), **fields)


def hh(*people: Person) -> Household:
    return Household("9000000001", people[0].addressee_number, tuple(people))


def reductions(a: Assessment) -> dict[Component, tuple[int, int]]:
    return {c.component: (c.per_capita_reduction, c.per_household_reduction) for c in a.components}


def test_seventy_percent_without_the_preschool_reduction(fy2025: PremiumParameters) -> None:
    # no income: 7割. 医療 均等割 2 × 30,133 × 0.7 = 42,186.2 → 42,186 (the child's further
    # 未就学児 halving is not 軽減額); 平等割 29,758 × 0.7 = 20,830.6 → 20,830
    # 支援 2 × 10,330 × 0.7 = 14,462; 10,201 × 0.7 = 7,140.7 → 7,140
    a = assess(hh(p(1, AGE_30), p(2, date(2021, 4, 2))), fy2025)
    assert reductions(a) == {MED: (42_186, 20_830), SUP: (14_462, 7_140)}
    # the batch (no explanation lines) computes the same
    assert reductions(assess(hh(p(1, AGE_30), p(2, date(2021, 4, 2))), fy2025, False)) == (
        reductions(a)
    )


def test_no_reduction_level_means_no_reduction_amount(fy2025: PremiumParameters) -> None:
    a = assess(hh(p(1, AGE_30, salary_revenue=3_000_000, salary_income=2_000_000)), fy2025)
    assert a.components[0].segments[0].judgement.level == 0
    assert reductions(a) == {MED: (0, 0), SUP: (0, 0)}


def test_the_former_dependant_halving_is_not_a_statutory_reduction(
    fy2025: PremiumParameters,
) -> None:
    # 68, pension income 2,000,000: no 7/5/2割; 均等割 and 平等割 halved as 旧被扶養者
    member = p(
        1,
        date(1957, 2, 2),
        pension_revenue=3_100_000,
        pension_income=2_000_000,
        acquisition_date=date(2025, 4, 1),
        former_dependant_since=date(2025, 4, 1),
    )
    assert reductions(assess(hh(member), fy2025)) == {MED: (0, 0), SUP: (0, 0)}


def test_prorated_over_the_segments(fy2025: PremiumParameters) -> None:
    # 7割 all year; a baby from December: Apr–Nov one member, Dec–Mar two
    # 医療 均等割 (21,093 × 8 + 42,186 × 4) / 12 = 337,488 / 12 = 28,124
    # (21,093.1 → 21,093; 42,186.2 → 42,186); 平等割 20,830 in both segments
    baby = p(2, date(2025, 12, 5), acquisition_date=date(2025, 12, 5))
    a = assess(hh(p(1, AGE_30), baby), fy2025)
    assert reductions(a)[MED] == (28_124, 20_830)


def test_long_term_care_only_for_its_months(fy2025: PremiumParameters) -> None:
    # attains 40 on 2025-10-14: 介護 Oct–Mar, 6 months, 7割
    # 均等割 9,522 × 0.7 = 6,665.4 → 6,665 × 6/12 = 3,332.5 → 3,332
    # 平等割 7,163 × 0.7 = 5,014.1 → 5,014 × 6/12 = 2,507
    a = assess(hh(p(1, date(1985, 10, 15))), fy2025)
    assert reductions(a)[LTC] == (3_332, 2_507)


HOUSEHOLD, PERSON = "9000000001", "1000000001"
RULES = CityRulebook("hiroshima", None)
TODAY = date(2026, 6, 1)


async def test_premium_assessed_carries_the_reduction_amounts() -> None:
    store, events = InMemoryAssessmentStore(), InMemoryEventStore(source="/kokuho/assessment")
    store.households[HOUSEHOLD] = HouseholdRow(
        HOUSEHOLD, PERSON, members=(MemberRow(PERSON, date(1980, 5, 5)),)
    )
    uow = InMemoryAssessmentUnit(store, events)
    # salary revenue 1,000,000, 給与所得 0: judged income 0 → 7割 (FY2026, aged 46)
    line = f"{PERSON},2025,1980-05-05,1,1000000,0,0,0,0,0,0,0,taxable"
    await income.import_income(
        uow,
        RULES,
        income.ImportIncome(
            file_name="f.csv",
            text=f"{','.join(COLUMNS)}\n{line}\n",
            apply_valid_part=False,
            actor="U1",
            today=TODAY,
        ),
    )

    async def assessed() -> bool:
        outcome = await assess_household(
            InMemoryAssessmentUnit(store, events),
            RULES,
            nhi_household_number=HOUSEHOLD,
            fiscal_year=2026,
            cause="request",
            actor="U1",
            today=TODAY,
        )
        return outcome.changed

    assert await assessed()
    [record] = await events.load(stream_id(HOUSEHOLD, 2026))
    event = PremiumAssessed.model_validate(record.envelope.data)
    assert event.statutory_reduction == 7
    got = {
        c.component: (c.per_capita_reduction, c.per_household_reduction) for c in event.components
    }
    # 医療 31,228 × 0.7 = 21,859.6 → 21,859; 30,403 × 0.7 = 21,282.1 → 21,282
    # 支援 10,342 × 0.7 = 7,239.4 → 7,239; 10,069 × 0.7 = 7,048.3 → 7,048
    # 介護 10,443 × 0.7 = 7,310.1 → 7,310; 7,860 × 0.7 = 5,502
    # 子ども (1,072 + 56) × 0.7 = 789.6 → 789; 1,044 × 0.7 = 730.8 → 730
    assert got == {
        "medical": (21_859, 21_282),
        "elderly_support": (7_239, 7_048),
        "long_term_care": (7_310, 5_502),
        "child_support": (789, 730),
    }

    # a revision stored before the 軽減額 existed is not re-assessed for it alone
    key = (HOUSEHOLD, 2026)
    old = [
        {k: v for k, v in c.items() if k not in {"per_capita_reduction", "per_household_reduction"}}
        for c in store.assessments[key].components
    ]
    store.assessments[key] = dataclasses.replace(store.assessments[key], components=old)
    assert not await assessed()
    assert len(await events.load(stream_id(HOUSEHOLD, 2026))) == 1


def test_same_components_compares_the_stored_figures() -> None:
    stored = [{"component": "medical", "amount": 100}]
    assert same_components(stored, [{"component": "medical", "amount": 100, "x": 1}])
    assert not same_components(stored, [{"component": "medical", "amount": 101, "x": 1}])
    assert not same_components(stored, [{"component": "medical"}])
    assert not same_components(stored, [])
    full = [{"component": "medical", "amount": 100, "x": 1}]
    assert not same_components(full, [{"component": "medical", "amount": 100, "x": 2}])
