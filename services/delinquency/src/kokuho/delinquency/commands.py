"""Commands beyond migrate/serve/verify-audit: the synthetic demo seed (idempotent): one case
at every stage, made through the use cases from collection-like facts. The households are ones
the other services' demo seeds know, so their consumers apply what the cases publish: collection
seeds last fiscal year's unpaid charges for 9930000001-9930000008 and for eligibility's first
demo household 2000000001, the special-care (特別療養費) case, whose 資格確認書 then says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from kokuho.delinquency.adapters.unit_of_work import DelinquencyUnit
from kokuho.delinquency.api.deps import JST
from kokuho.delinquency.app.cases import apply
from kokuho.delinquency.config import Settings
from kokuho.delinquency.domain import enforcement as e
from kokuho.delinquency.domain.lifecycle import NoteDunning, NotePayment
from kokuho.delinquency.domain.model import Instalment, Part
from kokuho.delinquency.domain.negotiation import PromiseTerms, RecordNegotiation
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.domain.plans import AgreePlan
from kokuho.delinquency.domain.relief import DecideRelief, RequestRelief
from kokuho.delinquency.domain.review import Review
from kokuho.delinquency.domain.special_care import RecordAdvanceNotice
from kokuho.delinquency.domain.statistics import fiscal_year_of
from kokuho.delinquency.parameters import load_rules
from kokuho.platform.audit import RequestAudit
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings

OFFICER, SUPERVISOR = "system:seed-officer", "system:seed-supervisor"
D = timedelta(days=1)
#: eligibility's first demo household (its numbers start at 2000000001)
SPECIAL_CARE_HOUSEHOLD = "2000000001"


def arrears_year(today: date) -> int:
    """The fiscal year of the demo arrears: the last one, as collection's seed charges it."""
    return fiscal_year_of(today) - 1


def dunning(today: date, days_ago: int, amount: int = 24_000) -> NoteDunning:
    due = today - days_ago * D
    year = arrears_year(today)
    return NoteDunning(year, 1, due, amount, due + 30 * D, f"demo-{days_ago}", due + 20 * D)


def talk(today: date, promise: PromiseTerms | None = None) -> RecordNegotiation:
    return RecordNegotiation(
        "demo-talk", OFFICER, "第一係", "収納対策課", "self", "phone",
        "promise" if promise else "reached", "デモ: 本人と電話", today, promise, today,
    )  # fmt: skip


def _enforcement(today: date, rules: Rules) -> dict[str, list[object]]:
    seize = e.Seize(
        "demo-s", "deposit", "デモ預金", 30_000, None, None, (), OFFICER, today, today, rules
    )
    suspend = RequestRelief(
        "demo-r", "enforcement_suspension", "no_property", today, None, 24_000, 0, OFFICER,
        "デモ", today, rules,
    )  # fmt: skip
    return {
        "9930000005": [e.StartInvestigation("demo-inv", "bank", "デモ銀行", OFFICER, today, today)],
        "9930000006": [seize],
        "9930000007": [suspend, DecideRelief("demo-r", True, SUPERVISOR, "", today)],
    }


def scenarios(today: date, rules: Rules) -> dict[str, list[object]]:
    """One household per stage (watching, reminder ... suspended, closed, 特別療養費)."""
    opened = [dunning(today, 90), Review(today, rules)]
    promise = PromiseTerms("demo-p", "payment", today + 7 * D, 5_000)
    instalments = (Instalment(today + 20 * D, 12_000), Instalment(today + 50 * D, 12_000))
    paid = NotePayment("demo-pay", (Part(arrears_year(today), 1, 24_000),), (), "bank", today)
    made: dict[str, list[object]] = {
        "9930000001": [dunning(today, 10)],  # watching: the 指定期限 has not passed
        "9930000002": opened,
        "9930000003": [*opened, talk(today, promise)],
        "9930000004": [*opened, AgreePlan("demo-plan", instalments, OFFICER, True, today, today)],
        "9930000008": [*opened, paid],
    }
    made.update({h: [*opened, *acts] for h, acts in _enforcement(today, rules).items()})
    notice = RecordAdvanceNotice(OFFICER, today - 30 * D, today)
    made[SPECIAL_CARE_HOUSEHOLD] = [dunning(today, 420), notice, Review(today, rules)]
    return dict(sorted(made.items()))


async def seed(
    settings: ServiceSettings, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> str:
    """Through the use cases on the platform's eventing (no relay: the public events are
    published once the service serves)."""
    assert isinstance(settings, Settings)
    today = now().astimezone(JST).date()
    rules = load_rules(settings.parameters_file)
    async with Eventing(settings, relay=False, pool_size=2) as eventing:
        trail = RequestAudit.of_system(lambda: eventing.pool, "system:seed", "seed")
        unit = DelinquencyUnit(lambda: eventing.pool, audit=trail, topic=settings.events_topic)
        async with unit:
            if await unit.cases.get("9930000001") is not None:
                return "demo: the delinquency cases exist already"
            made = scenarios(today, rules)
            for household, commands in made.items():
                for command in commands:
                    await apply(unit, household, command)
            await unit.audit.record(subjects=sorted(made), detail={"seed": len(made)})
    return (
        f"demo: {len(made)} delinquency cases (households 9930000001-9930000008 and"
        f" {SPECIAL_CARE_HOUSEHOLD})"
    )


async def retention_command(settings: ServiceSettings, args: list[str]) -> int:
    """``retention [--dry-run]``: erase the cases whose period is over today (C-95, C-96;
    ``parameters/retention.toml``; ADR 0100) and print the report; ``--dry-run`` erases
    nothing."""
    from kokuho.delinquency.adapters.retention import RetentionUnit
    from kokuho.delinquency.app.retention import apply_retention
    from kokuho.delinquency.parameters import load_retention
    from kokuho.platform.retention_postgres import run_retention

    return await run_retention(settings, args, load_retention(), apply_retention, RetentionUnit)
