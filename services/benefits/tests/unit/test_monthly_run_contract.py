"""The claims import and the monthly run against both stores: the in-memory twins and
PostgreSQL (``integration``). Household-months of the MHLW leaflet (区分ウ, 1,000,000 yen of
medical cost, 300,000 borne: limit 87,430, benefit 212,570) and its 多数回 variant (44,400)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kokuho.benefits.app import claims as claims_app
from kokuho.benefits.app import high_cost
from kokuho.benefits.app.monthly_run import RunOptions, run_month
from kokuho.benefits.app.ports import PayeeAccount
from kokuho.benefits.domain.claims import ClaimsFileRefused
from kokuho.benefits.domain.high_cost_decision import stream_id
from kokuho.benefits.parameters import load_schedule
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.linkage_gateway import HighCostCarryOverListed

from .claims_kit import a_line, claims_file, d_line
from .stores_kit import Stores
from .test_unit_of_work_contract import a_rate

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
JULY = date(2026, 7, 1)
TODAY = date(2026, 9, 10)
PAY_ON = date(2026, 9, 25)
A, B, C, D = "9920000101", "9920000102", "9920000103", "9920000104"


JULY_FILE = claims_file(
    d_line("A1", A, "9910000101", cost=1_000_000, self_pay=300_000),
    d_line("B1", B, "9910000102", cost=1_000_000, self_pay=300_000),
    d_line("C1", C, "9910000103", cost=1_000_000, self_pay=300_000),
    d_line("D1", D, "9910000104", cost=60_000, self_pay=18_000),
)


def payee(household: str, person: str) -> PayeeAccount:
    return PayeeAccount(
        household, person, "0001", "001", "ordinary", "1234567", "コクホ タロウ", TODAY, "U-CLERK"
    )


async def given_a_month(stores: Stores) -> None:
    async with stores.unit() as uow:
        for household in (A, B, D):  # C has no 所得区分 for income year 2024
            await uow.copayment_rates.put(
                a_rate(
                    nhi_household_number=household,
                    income_year=2024,
                    elderly_category=None,
                    copayment_rate_percent=None,
                    addressee_numbers=(),
                )
            )
        await uow.payees.put(payee(A, "9910000101"))
    await claims_app.import_claims(
        stores.unit(), claims_app.ImportClaims("july.csv", JULY_FILE, "U-BATCH")
    )
    await claims_app.record_carry_over(
        stores.unit(),
        HighCostCarryOverListed(
            kind="confirmed",
            target_month="2026-07",
            nhi_household_number=B,
            householder_addressee_number="9910000102",
            previous_insurer_number="340001",
            high_cost_months=3,
            last_high_cost_month="2026-05",
            file_date=date(2026, 8, 5),
        ),
    )


def options() -> RunOptions:
    return RunOptions(JULY, "system:test", TODAY, PAY_ON, "test.benefits")


async def test_the_run_decides_pays_prompts_and_holds(stores: Stores) -> None:
    await given_a_month(stores)
    summary = await run_month(stores.run, load_schedule(), options(), chunk_size=2)
    assert summary.counts() == {
        "households": 4,
        "decided": 2,
        "unchanged": 0,
        "no_benefit": 1,
        "prompted": 1,
        "payments": 1,
        "paid_amount": 212_570,
    }
    assert summary.held == [{"household": C, "reason": "no 所得区分"}]
    async with stores.unit() as uow:
        a = await uow.high_cost.get(A, JULY)
        b = await uow.high_cost.get(B, JULY)
        assert a is not None
        assert b is not None
        assert (a.benefit, a.paid, a.prompted) == (212_570, 212_570, False)
        assert (b.benefit, b.paid, b.prompted, b.outcome.many_times) == (255_600, 0, True, True)
        assert await uow.high_cost.get(D, JULY) is None
        events = await uow.events.load(stream_id(A, JULY))
        assert [e.event_type for e in events] == [
            contracts.HighCostBenefitDecided.event_type,
            contracts.BenefitPaymentOrdered.event_type,
        ]
        assert events[1].envelope.data["amount"] == 212_570
        assert "1234567" not in str(events[1].envelope.data)  # no account on the event
        [prompt] = (await uow.events.load(stream_id(B, JULY)))[1:]
        assert prompt.event_type == contracts.HighCostApplicationPrompted.event_type


async def test_a_rerun_changes_nothing_and_a_stopped_run_resumes(stores: Stores) -> None:
    await given_a_month(stores)
    stopped = await run_month(
        stores.run, load_schedule(), options(), chunk_size=1, stop_after_chunks=2
    )
    assert stopped.households == 2
    resumed = await run_month(stores.run, load_schedule(), options(), chunk_size=1)
    assert resumed.resumed
    assert (resumed.households, resumed.decided, resumed.payments) == (4, 2, 1)
    again = await run_month(stores.run, load_schedule(), options(), chunk_size=3)
    assert not again.resumed
    assert (again.decided, again.unchanged, again.payments, again.prompted) == (0, 2, 0, 0)
    async with stores.unit() as uow:
        assert len(await uow.events.load(stream_id(A, JULY))) == 2
        assert len(await uow.high_cost.payments_of(A)) == 1


async def test_an_adjustment_revises_the_decision_and_pays_the_difference(stores: Stores) -> None:
    await given_a_month(stores)
    await run_month(stores.run, load_schedule(), options())
    later = claims_file(
        a_line("A1", "R", 1_200_000, 360_000), header="H,KKH-RZP,1,2026-09-20,2026-09"
    )
    receipt = await claims_app.import_claims(
        stores.unit(), claims_app.ImportClaims("sep.csv", later, "U-BATCH")
    )
    assert (receipt.claims, receipt.adjustments) == (0, 1)
    summary = await run_month(stores.run, load_schedule(), options())
    assert (summary.decided, summary.unchanged, summary.paid_amount) == (1, 1, 58_000)
    async with stores.unit() as uow:
        a = await uow.high_cost.get(A, JULY)
        assert a is not None
        assert (a.revision, a.benefit, a.paid) == (2, 270_570, 270_570)  # 89,430 borne
        [adjustment] = await uow.claims.adjustments_of("A1")
        assert adjustment["self_pay_before"] == 300_000
        assert adjustment["self_pay"] == 360_000
        assert adjustment["kind"] == "reexamination"


async def test_the_application_pays_what_was_prompted(stores: Stores) -> None:
    await given_a_month(stores)
    await run_month(stores.run, load_schedule(), options())
    applied = await high_cost.apply_for_high_cost(
        stores.unit(), high_cost.Apply(payee(B, "9910000102"), TODAY, PAY_ON)
    )
    assert [p.amount for p in applied.payments] == [255_600]
    again = await high_cost.apply_for_high_cost(
        stores.unit(), high_cost.Apply(payee(B, "9910000102"), TODAY, PAY_ON)
    )
    assert again.payments == []
    async with stores.unit() as uow:
        b = await uow.high_cost.get(B, JULY)
        assert b is not None
        assert b.paid == 255_600
    rerun = await run_month(stores.run, load_schedule(), options())
    assert (rerun.decided, rerun.payments) == (0, 0)


async def test_a_file_is_all_or_nothing_and_taken_once(stores: Stores) -> None:
    await given_a_month(stores)
    bad = claims_file(
        d_line("E1", "9920000105", "9910000105", cost=1_000, self_pay=300),
        d_line("A1", A, "9910000101", cost=1_000, self_pay=300),  # received in July
        a_line("ZZ", "E", 10, 3),
    )
    with pytest.raises(ClaimsFileRefused) as refused:
        await claims_app.import_claims(stores.unit(), claims_app.ImportClaims("bad.csv", bad, "U"))
    assert [e.line for e in refused.value.errors] == [3, 4]
    worse = bad.replace(",300\n", ",3000\n", 1)  # line 2 self-pay > cost
    with pytest.raises(ClaimsFileRefused) as all_at_once:
        await claims_app.import_claims(stores.unit(), claims_app.ImportClaims("w.csv", worse, "U"))
    assert [e.line for e in all_at_once.value.errors] == [2, 3, 4]
    async with stores.unit() as uow:
        assert await uow.claims.known(["E1"]) == set()
    with pytest.raises(claims_app.ClaimsFileAlreadyReceived):
        await claims_app.import_claims(
            stores.unit(), claims_app.ImportClaims("j.csv", JULY_FILE, "U")
        )
