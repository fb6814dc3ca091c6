"""高額介護合算療養費 (rules.md §3.5, §3.8): the calculation at every limit (the limit itself and
501 yen above it, the 500-yen floor), the zero sides, the 70–74 and mixed-household orders with
the medical / LTC split; the LTC insurer's file line by line; the application on both stores
(claims of the period with the 21,000-yen units for under 70, less the 高額療養費 decided; the
LTC file; the 所得区分 of the base date), four eyes, the payment of the medical share, the
notice."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from kokuho.benefits.adapters.combined_care_notice_pdf import render_combined_care_notice
from kokuho.benefits.app import claims as claims_app
from kokuho.benefits.app import combined_care
from kokuho.benefits.app import private_events as private
from kokuho.benefits.app.monthly_run import RunOptions, run_month
from kokuho.benefits.app.ports import Benefits, PayeeAccount
from kokuho.benefits.domain import combined_care as cc
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.high_cost.limits import ElderlyCategory, Under70Category
from kokuho.benefits.domain.ltc_file import LtcFileAlreadyReceived, LtcFileRefused, read_ltc_file
from kokuho.benefits.domain.lump_sum import SamePersonReview
from kokuho.benefits.parameters import load_combined_limits, load_income_lines, load_schedule
from kokuho.events.contracts import benefits as contracts
from kokuho.platform.documents.checks import text_of

from .claims_kit import claims_file, d_line
from .stores_kit import Stores
from .test_unit_of_work_contract import a_rate

LIMITS = load_combined_limits()
PORTS = Benefits(load_schedule(), load_income_lines())
U70, ELDER = AgeBand.UNDER_70, AgeBand.AGED_70_74


def m(person: str, band: AgeBand, medical: int, ltc: int) -> cc.MemberYear:
    return cc.MemberYear(person, band, medical, ltc)


def test_under_70_household_over_the_limit_split_in_proportion() -> None:
    r = cc.calculate((m("P1", U70, 500_000, 300_000),), Under70Category.U, None, LIMITS)
    # 800,000 − 670,000 = 130,000: medical 130,000 × 5/8 = 81,250, LTC 48,750
    assert (r.excess, r.medical_share, r.ltc_share) == (130_000, 81_250, 48_750)


@pytest.mark.parametrize(
    ("category", "limit"),
    [
        (Under70Category.A, 2_120_000),
        (Under70Category.I, 1_410_000),
        (Under70Category.U, 670_000),
        (Under70Category.E, 600_000),
        (Under70Category.O, 340_000),
    ],
)
def test_every_under_70_limit_at_itself_and_501_above(
    category: Under70Category, limit: int
) -> None:
    at = cc.calculate((m("P1", U70, limit - 100_000, 100_000),), category, None, LIMITS)
    assert at.excess == 0
    above = cc.calculate((m("P1", U70, limit - 99_499, 100_000),), category, None, LIMITS)
    assert above.excess == 501


@pytest.mark.parametrize(
    ("category", "limit"),
    [
        (ElderlyCategory.ACTIVE_3, 2_120_000),
        (ElderlyCategory.ACTIVE_2, 1_410_000),
        (ElderlyCategory.ACTIVE_1, 670_000),
        (ElderlyCategory.GENERAL, 560_000),
        (ElderlyCategory.LOW_2, 310_000),
        (ElderlyCategory.LOW_1, 190_000),
    ],
)
def test_every_70_74_limit_and_the_500_yen_floor(category: ElderlyCategory, limit: int) -> None:
    floor = cc.calculate((m("E1", ELDER, limit - 99_500, 100_000),), None, category, LIMITS)
    assert floor.excess == 0  # 500 over: nothing (§3.8)
    assert "500" in floor.steps[-1]
    above = cc.calculate((m("E1", ELDER, limit - 99_499, 100_000),), None, category, LIMITS)
    assert above.excess == 501


def test_nothing_when_one_side_is_zero() -> None:
    for medical, ltc in ((0, 900_000), (900_000, 0)):
        r = cc.calculate((m("P1", U70, medical, ltc),), Under70Category.O, None, LIMITS)
        assert r.excess == 0


def test_a_mixed_household_takes_the_70_74_limit_first() -> None:
    members = (m("E1", ELDER, 400_000, 300_000), m("P1", U70, 200_000, 0))
    r = cc.calculate(members, Under70Category.U, ElderlyCategory.GENERAL, LIMITS)
    # 70–74: 700,000 − 560,000 = 140,000 (medical 80,000, LTC 60,000); household: 560,000 left
    # + 200,000 = 760,000 − 670,000 = 90,000 (medical 90,000 × 520/760 = 61,578, LTC 28,422)
    assert (r.excess, r.medical_share, r.ltc_share) == (230_000, 141_578, 88_422)
    assert len(r.steps) == 4


def test_a_missing_category_is_refused() -> None:
    with pytest.raises(cc.CombinedCareInvalid, match="elderly_category"):
        cc.calculate((m("E1", ELDER, 1, 1),), Under70Category.U, None, LIMITS)


GOOD = "H,KKH-KGS,1,2026-09-10,2026-07-31\nD,9920000701,9910000701,341001,300000\nT,1\n"


def test_the_ltc_file_is_read_and_every_bad_line_named() -> None:
    file = read_ltc_file(GOOD)
    assert (file.base_date, file.rows[0].amount) == (date(2026, 7, 31), 300_000)
    bad = "\n".join(
        [
            "H,KKH-KGS,1,2026-09-10,2026-06-30",
            "D,9920000701,9910000701,341001,300000",
            "D,9920000701,9910000701,341001,1",
            "D,992000070,9910000702,341001,1",
            "D,9920000701,9910000703,34100,1",
            "D,9920000701,9910000704,341001,-5",
            "X,1",
            "T,9",
        ]
    )
    with pytest.raises(LtcFileRefused) as refused:
        read_ltc_file(bad)
    assert [e.line for e in refused.value.errors] == [1, 3, 4, 5, 6, 7, 8]
    with pytest.raises(LtcFileRefused, match="1 line"):
        read_ltc_file(GOOD.replace("T,1\n", ""))


HOUSEHOLD, ELDER_P, SPOUSE = "9920000701", "9910000701", "9910000702"


async def household_year(stores: Stores) -> None:
    """An elder (一般) and an under-70 spouse (ウ) over August 2025 – July 2026."""
    await claims_app.import_claims(
        stores.unit(),
        claims_app.ImportClaims(
            "year.csv",
            claims_file(
                d_line(
                    "CC01",
                    HOUSEHOLD,
                    ELDER_P,
                    cost=1_000_000,
                    self_pay=200_000,
                    month="2025-09",
                    band="E",
                ),
                d_line(
                    "CC02",
                    HOUSEHOLD,
                    ELDER_P,
                    cost=1_000_000,
                    self_pay=200_000,
                    month="2026-07",
                    band="E",
                ),
                d_line("CC03", HOUSEHOLD, SPOUSE, cost=700_000, self_pay=210_000, month="2026-01"),
                d_line("CC04", HOUSEHOLD, SPOUSE, cost=60_000, self_pay=18_000, month="2026-02"),
                d_line("CC05", HOUSEHOLD, SPOUSE, cost=70_000, self_pay=21_000, month="2025-07"),
                header="H,KKH-RZP,1,2026-08-20,2026-08",
            ),
            "U-BATCH",
        ),
    )
    await combined_care.import_ltc_file(
        stores.unit(),
        "ltc.csv",
        "H,KKH-KGS,1,2026-09-10,2026-07-31\n"
        f"D,{HOUSEHOLD},{ELDER_P},341001,300000\nD,{HOUSEHOLD},{SPOUSE},341001,0\nT,2\n",
        "U-BATCH",
    )
    async with stores.unit() as uow:  # the 所得区分 of July 2026 (income year 2024)
        await uow.copayment_rates.put(
            a_rate(
                nhi_household_number=HOUSEHOLD,
                income_year=2024,
                elderly_category=ElderlyCategory.GENERAL,
                copayment_rate_percent=20,
                addressee_numbers=(ELDER_P,),
            )
        )


def account() -> PayeeAccount:
    return PayeeAccount(
        HOUSEHOLD,
        ELDER_P,
        "0001",
        "001",
        "ordinary",
        "5555555",
        "コクホ　ゴロウ",
        date(2026, 10, 1),
        "U-CLERK",
    )


async def test_the_application_on_the_households_year_by_two_people(stores: Stores) -> None:
    await household_year(stores)
    with pytest.raises(LtcFileAlreadyReceived):
        await combined_care.import_ltc_file(
            stores.unit(),
            "again.csv",
            "H,KKH-KGS,1,2026-09-10,2026-07-31\n"
            f"D,{HOUSEHOLD},{ELDER_P},341001,300000\nD,{HOUSEHOLD},{SPOUSE},341001,0\nT,2\n",
            "U-BATCH",
        )
    state = await combined_care.apply_combined_care(
        stores.unit(), PORTS, HOUSEHOLD, 2026, account(), "U-CLERK", date(2026, 10, 1)
    )
    members = {x.person: x for x in state.application.members}
    # the elder: 200,000 + 200,000 (70–74: every claim); the spouse: 210,000 only (the 18,000
    # claim is under 21,000; July 2025 is outside the period); no 高額療養費 decided here
    assert (members[ELDER_P].medical, members[ELDER_P].ltc) == (400_000, 300_000)
    assert (members[SPOUSE].medical, members[SPOUSE].age_band) == (210_000, U70)
    c = state.application.calculation
    # 70–74 一般: 700,000 − 560,000 = 140,000 (80,000 / 60,000); household ウ: 560,000 + 210,000
    # = 770,000 − 670,000 = 100,000, medical 100,000 × 530/770 = 68,831, LTC 31,169
    assert (c.excess, c.medical_share, c.ltc_share) == (240_000, 148_831, 91_169)
    with pytest.raises(cc.CombinedCareInvalid, match="applied already"):
        await combined_care.apply_combined_care(
            stores.unit(), PORTS, HOUSEHOLD, 2026, account(), "U-CLERK", date(2026, 10, 1)
        )
    review = cc.Review(True, "", "u-clerk", date(2026, 10, 2), date(2026, 10, 20))
    with pytest.raises(SamePersonReview):
        await combined_care.review_combined_care(
            stores.unit(), state.application.application_id, review
        )
    done = await combined_care.review_combined_care(
        stores.unit(),
        state.application.application_id,
        dataclasses.replace(review, reviewed_by="U-SUPERVISOR"),
    )
    assert (done.status, done.amount, done.paid) == ("approved", 148_831, 148_831)
    async with stores.unit() as uow:
        recorded = await uow.events.load(cc.stream_id(state.application.application_id))
    assert [r.event_type for r in recorded] == [
        private.CombinedCareApplied.event_type,
        contracts.CombinedCareBenefitDecided.event_type,
        contracts.BenefitPaymentOrdered.event_type,
    ]
    decided = recorded[1].envelope.data
    assert (decided["medical_share"], decided["ltc_share"]) == (148_831, 91_169)
    assert recorded[2].envelope.data["benefit_kind"] == "combined_care"
    assert "5555555" not in str([r.envelope.data for r in recorded])
    text = text_of(render_combined_care_notice(done, date(2026, 10, 2)))
    assert "高額介護合算療養費" in text
    assert "148,831円" in text
    with pytest.raises(cc.CombinedCareNotPending):
        await combined_care.review_combined_care(
            stores.unit(),
            state.application.application_id,
            dataclasses.replace(review, reviewed_by="U-SUPERVISOR"),
        )


async def test_refusals_without_data_or_before_the_base_date(stores: Stores) -> None:
    with pytest.raises(cc.CombinedCareInvalid, match="LTC"):
        await combined_care.apply_combined_care(
            stores.unit(), PORTS, HOUSEHOLD, 2026, account(), "U-CLERK", date(2026, 10, 1)
        )
    await household_year(stores)
    with pytest.raises(cc.CombinedCareInvalid, match="base date"):
        await combined_care.apply_combined_care(
            stores.unit(), PORTS, HOUSEHOLD, 2026, account(), "U-CLERK", date(2026, 7, 31)
        )
    other = "9920000702"
    await combined_care.import_ltc_file(
        stores.unit(),
        "other.csv",
        f"H,KKH-KGS,1,2026-09-11,2026-07-31\nD,{other},9910000709,341001,50000\nT,1\n",
        "U-BATCH",
    )
    with pytest.raises(cc.CombinedCareInvalid, match="所得区分"):
        await combined_care.apply_combined_care(
            stores.unit(), PORTS, other, 2026, account(), "U-CLERK", date(2026, 10, 1)
        )


async def test_the_high_cost_benefit_decided_is_taken_off_the_medical_self_pay(
    stores: Stores,
) -> None:
    await household_year(stores)
    july = date(2026, 7, 1)
    options = RunOptions(july, "system:test", date(2026, 9, 1), date(2026, 9, 25), "test.benefits")
    await run_month(stores.run, load_schedule(), options, chunk_size=5)
    async with stores.unit() as uow:
        decision = await uow.high_cost.get(HOUSEHOLD, july)
    assert decision is not None
    (elder_benefit,) = [b for p, _, b in decision.outcome.persons if p == ELDER_P]
    assert elder_benefit > 0
    state = await combined_care.apply_combined_care(
        stores.unit(), PORTS, HOUSEHOLD, 2026, account(), "U-CLERK", date(2026, 10, 1)
    )
    (elder,) = [x for x in state.application.members if x.person == ELDER_P]
    assert elder.medical == 400_000 - elder_benefit
