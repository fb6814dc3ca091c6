"""Commands beyond migrate/serve/verify-audit: the synthetic demo seed (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime

from kokuho.benefits.adapters.unit_of_work import BenefitsUnit
from kokuho.benefits.api.deps import JST
from kokuho.benefits.app.copayment_rates import decide_copayment_rate
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.config import Settings
from kokuho.benefits.domain.copayment_rate import DecideCopaymentRate
from kokuho.benefits.domain.high_cost.household_month import AgeBand
from kokuho.benefits.domain.income_category import HouseholdFacts, PersonFacts
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.platform.audit import PostgresAuditLog, RequestAudit
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings

#: the demo household (synthetic: numbers of demo data start with 99): a 72-year-old with
#: 課税所得 of 200万 and 収入 of 500万 (3割, 現役並みⅠ) and an under-70 spouse
DEMO_HOUSEHOLD = "9920000001"
DEMO_ELDER = "9910000001"
DEMO_SPOUSE = "9910000002"


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


async def seed(settings: ServiceSettings) -> str:
    """Decide the demo household's rate through the use case, on the platform's eventing (no
    relay: the event is published once the service serves)."""
    assert isinstance(settings, Settings)
    today = datetime.now(UTC).astimezone(JST).date()
    command = DecideCopaymentRate(demo_facts(today.year - 1), "system:seed", today)
    ports = Benefits(load_schedule(), load_income_lines())
    async with Eventing(settings, relay=False, pool_size=2) as eventing:
        trail = RequestAudit(
            PostgresAuditLog(lambda: eventing.pool),
            user_id="system:seed",
            terminal_id=None,
            operation="seed",
            request_id=None,
        )
        unit = BenefitsUnit(lambda: eventing.pool, audit=trail, topic=settings.events_topic)
        decided = await decide_copayment_rate(unit, ports, command)
    rate = decided.rate.copayment_rate_percent
    if not decided.changed:
        return f"demo: household {DEMO_HOUSEHOLD} has its co-payment rate already ({rate}%)"
    return f"demo: household {DEMO_HOUSEHOLD} co-payment rate decided ({rate}%)"
