"""Commands beyond migrate/serve/verify-audit: the synthetic demo seed (idempotent): the demo
household's rate, and for ``make run`` a month to show: the 所得区分 of two demo households, a
claims file of their treatment month (two months before today), the federation's carry-over list
for one, an application for it, and the month's monthly run requested (the served service's job
runs it: ``GET /api/v1/monthly-runs/<YYYY-MM>``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from kokuho.benefits.adapters.monthly_run import months_back
from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.benefits.api.deps import JST
from kokuho.benefits.app import claims as claims_app
from kokuho.benefits.app.copayment_rates import decide_copayment_rate
from kokuho.benefits.app.high_cost import request_monthly_run
from kokuho.benefits.app.ports import Benefits, BenefitsUnitPort, PayeeAccount
from kokuho.benefits.config import Settings
from kokuho.benefits.domain.copayment_rate import DecideCopaymentRate
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.income_category import HouseholdFacts, PersonFacts, income_year_for
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.events.contracts.linkage_gateway import HighCostCarryOverListed
from kokuho.platform.audit import RequestAudit
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings

#: the demo household (synthetic: numbers of demo data start with 99): a 72-year-old with
#: 課税所得 of 200万 and 収入 of 500万 (3割, 現役並みⅠ) and an under-70 spouse
DEMO_HOUSEHOLD = "9920000001"
DEMO_ELDER = "9910000001"
DEMO_SPOUSE = "9910000002"
#: a second demo household: one under-70 member, 区分ウ, carried 多数回 from the federation's list
DEMO_CARRIED = "9920000002"
DEMO_CARRIED_MEMBER = "9910000003"
SEED = "system:seed"


def demo_facts(income_year: int) -> HouseholdFacts:
    return HouseholdFacts(
        DEMO_HOUSEHOLD,
        income_year,
        (
            PersonFacts(DEMO_ELDER, AgeBand.AGED_70_74, False, 2_000_000, 3_000_000, 5_000_000),
            PersonFacts(DEMO_SPOUSE, AgeBand.UNDER_70, False, 0, 0, 0),
        ),
        householder_tax_exempt=False,
    )


def demo_carried_facts(income_year: int) -> HouseholdFacts:
    return HouseholdFacts(
        DEMO_CARRIED,
        income_year,
        (
            PersonFacts(
                DEMO_CARRIED_MEMBER, AgeBand.UNDER_70, False, 2_000_000, 3_000_000, 4_000_000
            ),
        ),
        householder_tax_exempt=False,
    )


def demo_claims(month: date) -> str:
    """The demo month's claims (KKH-RZP): the elder's inpatient stay (現役並みⅠ: 67,570 back),
        the spouse's outpatient visit (below 21,000: not counted), the carried household's stay
        (多数回: 44,400 borne, 255,600 back). Claim numbers and the file carry the month only, so
    the same month's file is the same content (taken once)."""
    tag = f"DEMO{month:%Y%m}"
    lines = [
        f"H,KKH-RZP,1,{months_back(month, -1):%Y-%m}-20,{months_back(month, -1):%Y-%m}",
        f"D,{tag}E1,{month:%Y-%m},{DEMO_HOUSEHOLD},{DEMO_ELDER},E,0,1310000001,I,M,,,8,50000,"
        "500000,150000",
        f"D,{tag}S1,{month:%Y-%m},{DEMO_HOUSEHOLD},{DEMO_SPOUSE},U,0,1310000002,O,M,,,2,2000,"
        "20000,6000",
        f"D,{tag}C1,{month:%Y-%m},{DEMO_CARRIED},{DEMO_CARRIED_MEMBER},U,0,1310000001,I,M,,,12,"
        "100000,1000000,300000",
        "T,3",
    ]
    return "\n".join(lines) + "\n"


async def seed_month(units: Callable[[], BenefitsUnitPort], month: date, today: date) -> str:
    """The demo month, once: the claims file (taken once: its content is the month's), the
    carry-over list (an upsert), the payee, and the run requested unless the month has one."""
    with contextlib.suppress(claims_app.ClaimsFileAlreadyReceived):
        await claims_app.import_claims(
            units(),
            claims_app.ImportClaims(f"demo-{month:%Y-%m}.csv", demo_claims(month), SEED),
        )
    await claims_app.record_carry_over(
        units(),
        HighCostCarryOverListed(
            kind="confirmed",
            target_month=f"{month:%Y-%m}",
            nhi_household_number=DEMO_CARRIED,
            householder_addressee_number=DEMO_CARRIED_MEMBER,
            previous_insurer_number="340001",
            high_cost_months=3,
            last_high_cost_month=f"{months_back(month, 1):%Y-%m}",
            file_date=today,
        ),
    )
    async with units() as uow:
        if await uow.payees.get(DEMO_CARRIED) is None:
            await uow.payees.put(
                PayeeAccount(
                    DEMO_CARRIED,
                    DEMO_CARRIED_MEMBER,
                    "0001",
                    "001",
                    "ordinary",
                    "1234567",
                    "コクホ　デモ",
                    today,
                    SEED,
                )
            )
        found = await uow.monthly_runs.latest(month)
    if found is not None:
        return f"demo: monthly run of {month:%Y-%m} {found.status} already"
    status = await request_monthly_run(units(), month, today + timedelta(days=14), SEED)
    return f"demo: monthly run of {month:%Y-%m} requested ({status.status})"


async def seed(settings: ServiceSettings) -> str:
    """Decide the demo household's rate through the use case, on the platform's eventing (no
    relay: the event is published once the service serves)."""
    assert isinstance(settings, Settings)
    today = datetime.now(UTC).astimezone(JST).date()
    command = DecideCopaymentRate(demo_facts(today.year - 1), SEED, today)
    ports = Benefits(load_schedule(), load_income_lines())
    async with Eventing(settings, relay=False, pool_size=2) as eventing:
        trail = RequestAudit.of_system(lambda: eventing.pool, "system:seed", "seed")

        def units() -> BenefitsUnit:
            return BenefitsUnit(lambda: eventing.pool, audit=trail, topic=settings.events_topic)

        decided = await decide_copayment_rate(units(), ports, command)
        month = months_back(today.replace(day=1), 2)
        year = income_year_for(month)
        for facts in (demo_facts(year), demo_carried_facts(year)):
            await decide_copayment_rate(units(), ports, DecideCopaymentRate(facts, SEED, today))
        ran = await seed_month(units, month, today)
    rate = decided.rate.copayment_rate_percent
    if not decided.changed:
        return f"demo: household {DEMO_HOUSEHOLD} has its co-payment rate already ({rate}%); {ran}"
    return f"demo: household {DEMO_HOUSEHOLD} co-payment rate decided ({rate}%); {ran}"


async def retention_command(settings: ServiceSettings, args: list[str]) -> int:
    """``retention [--dry-run]``: erase the benefits whose 5 years from the date they were
    received are over today (C-95, C-96; ``parameters/retention.toml``; ADR 0100) and print
    the report; ``--dry-run`` erases nothing."""
    from kokuho.benefits.adapters.retention import RetentionUnit
    from kokuho.benefits.app.retention import apply_retention
    from kokuho.benefits.parameters import load_retention
    from kokuho.platform.retention_postgres import run_retention

    return await run_retention(settings, args, load_retention(), apply_retention, RetentionUnit)
