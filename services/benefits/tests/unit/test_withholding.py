"""給付の一時差止 (rules.md §4.6) against both stores (memory; PostgreSQL marked
``integration``): while delinquency withholds a household, the monthly run and the lump sums
decide but do not order the payment (``BenefitPaymentWithheld``, listed for staff); the release
orders each withheld payment once. Boundaries: withheld from the effective day inclusive, the
day before a withholding and the day of a release are not withheld."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from kokuho.benefits.app import claims as claims_app
from kokuho.benefits.app import high_cost, lump_sums, withholding
from kokuho.benefits.app.monthly_run import RunOptions, run_month
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain import lump_sum as ls
from kokuho.benefits.domain.withholding import Withholding, is_withheld
from kokuho.benefits.parameters import load_schedule
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.delinquency import BenefitsReleased, BenefitsWithheld

from .claims_kit import claims_file, d_line
from .stores_kit import Stores
from .test_lump_sums import PORTS, account, application, review
from .test_monthly_run_contract import payee
from .test_unit_of_work_contract import a_rate

JULY = date(2026, 7, 1)
TODAY = date(2026, 9, 10)
PAY_ON = date(2026, 9, 25)
WITHHELD, FREE = "9920000401", "9920000402"
ORDERED = contracts.BenefitPaymentOrdered.event_type
HELD_BACK = contracts.BenefitPaymentWithheld.event_type


def withheld(household: str, on: date) -> BenefitsWithheld:
    return BenefitsWithheld(
        nhi_household_number=household, oldest_due_date=date(2024, 7, 31), effective_on=on
    )


def released(household: str, on: date) -> BenefitsReleased:
    return BenefitsReleased(nhi_household_number=household, reason="paid", effective_on=on)


def test_withheld_from_the_effective_day_until_the_day_of_release() -> None:
    day = date(2026, 9, 10)
    open_ = [Withholding(WITHHELD, day)]
    assert not is_withheld(open_, day - timedelta(days=1))
    assert is_withheld(open_, day)
    assert is_withheld(open_, day + timedelta(days=400))
    closed = [Withholding(WITHHELD, day, day + timedelta(days=30))]
    assert is_withheld(closed, day + timedelta(days=29))
    assert not is_withheld(closed, day + timedelta(days=30))
    assert not is_withheld([], day)


async def given_july(stores: Stores, *, applied: bool = True) -> None:
    async with stores.unit() as uow:
        for household, person in ((WITHHELD, "9910000401"), (FREE, "9910000402")):
            await uow.copayment_rates.put(
                a_rate(
                    nhi_household_number=household,
                    income_year=2024,
                    elderly_category=None,
                    copayment_rate_percent=None,
                    addressee_numbers=(),
                )
            )
            if applied or household != WITHHELD:
                await uow.payees.put(payee(household, person))
    await claims_app.import_claims(
        stores.unit(),
        claims_app.ImportClaims(
            "july.csv",
            claims_file(
                d_line("W1", WITHHELD, "9910000401", cost=1_000_000, self_pay=300_000),
                d_line("F1", FREE, "9910000402", cost=1_000_000, self_pay=300_000),
            ),
            "U-BATCH",
        ),
    )


async def types(stores: Stores, stream: str) -> list[str]:
    async with stores.unit() as uow:
        return [e.event_type for e in await uow.events.load(stream)]


async def test_the_run_decides_a_withheld_household_and_the_release_pays_once(
    stores: Stores,
) -> None:
    await given_july(stores)
    # withheld since the day before the run; the other household only from the day after
    await withholding.record_withheld(stores.unit(), withheld(WITHHELD, TODAY - timedelta(1)))
    await withholding.record_withheld(stores.unit(), withheld(FREE, TODAY + timedelta(1)))
    options = RunOptions(JULY, "system:test", TODAY, PAY_ON, "test.benefits")
    summary = await run_month(stores.run, load_schedule(), options)
    assert (summary.decided, summary.payments, summary.paid_amount) == (2, 1, 212_570)
    assert await types(stores, hc.stream_id(WITHHELD, JULY)) == [
        contracts.HighCostBenefitDecided.event_type,
        HELD_BACK,
    ]
    assert await types(stores, hc.stream_id(FREE, JULY)) == [
        contracts.HighCostBenefitDecided.event_type,
        ORDERED,
    ]
    async with stores.unit() as uow:
        [listed] = await uow.withholdings.pending()
        decision = await uow.high_cost.get(WITHHELD, JULY)
        assert decision is not None
        assert decision.paid == 0
        [event] = (await uow.events.load(hc.stream_id(WITHHELD, JULY)))[1:]
        assert event.envelope.data["basis"] == "rules.md §4.6 給付の一時差止"
    assert (listed.nhi_household_number, listed.amount, listed.withheld_on) == (
        WITHHELD,
        212_570,
        TODAY,
    )
    # a re-run while withheld changes nothing
    again = await run_month(stores.run, load_schedule(), options)
    assert (again.decided, again.payments) == (0, 0)
    assert await withholding.release_withheld(stores.unit(), released(WITHHELD, PAY_ON)) == 1
    assert await withholding.release_withheld(stores.unit(), released(WITHHELD, PAY_ON)) == 0
    assert await types(stores, hc.stream_id(WITHHELD, JULY)) == [
        contracts.HighCostBenefitDecided.event_type,
        HELD_BACK,
        ORDERED,
    ]
    async with stores.unit() as uow:
        decision = await uow.high_cost.get(WITHHELD, JULY)
        assert decision is not None
        assert decision.paid == 212_570
        assert await uow.withholdings.pending() == []
        [payment] = [p for p in await uow.high_cost.payments_of(WITHHELD) if p.amount == 212_570]
        assert payment.payment_date == PAY_ON + timedelta(days=14)


async def test_an_application_while_withheld_pays_on_release(stores: Stores) -> None:
    await given_july(stores, applied=False)  # no application on file: the run prompts
    options = RunOptions(JULY, "system:test", TODAY, PAY_ON, "test.benefits")
    await run_month(stores.run, load_schedule(), options)
    await withholding.record_withheld(stores.unit(), withheld(WITHHELD, TODAY))
    applied = await high_cost.apply_for_high_cost(
        stores.unit(),
        high_cost.Apply(payee(WITHHELD, "9910000401"), TODAY, PAY_ON),
    )
    assert applied.payments == []
    assert [p.amount for p in await withholding.list_withheld(stores.unit())] == [212_570]
    assert await withholding.release_withheld(stores.unit(), released(WITHHELD, PAY_ON)) == 1
    assert await types(stores, hc.stream_id(WITHHELD, JULY)) == [
        contracts.HighCostBenefitDecided.event_type,
        contracts.HighCostApplicationPrompted.event_type,
        HELD_BACK,
        ORDERED,
    ]


async def test_a_lump_sum_approved_while_withheld_is_paid_on_release_once(
    stores: Stores,
) -> None:
    held_back = application()  # reviewed on TODAY of test_lump_sums (2026-12-01)
    paid_now = application(nhi_household_number="9920000303", subject_addressee_number="9910000303")
    await withholding.record_withheld(
        stores.unit(), withheld(held_back.nhi_household_number, date(2026, 11, 30))
    )
    await withholding.record_withheld(
        stores.unit(), withheld(paid_now.nhi_household_number, date(2026, 12, 2))
    )
    for a in (held_back, paid_now):
        await lump_sums.apply_lump_sum(stores.unit(), a, account(a))
    first = await lump_sums.review_lump_sum(
        stores.unit(), PORTS, held_back.application_id, review()
    )
    second = await lump_sums.review_lump_sum(
        stores.unit(), PORTS, paid_now.application_id, review()
    )
    assert (first.state.status, first.payment, first.withheld) == ("approved", None, True)
    assert second.payment is not None
    assert not second.withheld
    assert await types(stores, ls.stream_id(held_back)) == [
        contracts.LumpSumBenefitApplied.event_type,
        contracts.LumpSumBenefitDecided.event_type,
        HELD_BACK,
    ]
    listed = await withholding.list_withheld(stores.unit())
    assert [(p.benefit_kind, p.amount) for p in listed] == [("funeral", 30_000)]
    release = released(held_back.nhi_household_number, date(2026, 12, 20))
    assert await withholding.release_withheld(stores.unit(), release) == 1
    assert await withholding.release_withheld(stores.unit(), release) == 0
    assert (await types(stores, ls.stream_id(held_back)))[-1] == ORDERED
    assert len(await types(stores, ls.stream_id(held_back))) == 4
    state = await lump_sums.read_lump_sum(stores.unit(), held_back.application_id)
    assert state.paid == 30_000
    # reviewed after the release: paid at once
    later = application(
        kind=ls.LumpSumKind.CHILDBIRTH,
        subject_addressee_number="9910000304",
        application_id=uuid4(),
    )
    await lump_sums.apply_lump_sum(stores.unit(), later, account(later))
    after = await lump_sums.review_lump_sum(
        stores.unit(),
        PORTS,
        later.application_id,
        ls.Review(True, "", "U-SUPERVISOR", date(2026, 12, 20), date(2027, 1, 5)),
    )
    assert after.payment is not None
