"""Commands beyond migrate/serve/verify-audit: the synthetic demo seed (idempotent), the
payment file import and the daily jobs (督促, 時効) for a scheduler."""

from __future__ import annotations

import asyncio
import calendar
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from kokuho.collection.adapters.debits import ZenginBanks, to_bank_kana
from kokuho.collection.adapters.matching_workers import matching_executor
from kokuho.collection.adapters.unit_of_work import CollectionUnit
from kokuho.collection.api.deps import JST
from kokuho.collection.app import counter_payments, debits, jobs, payments, pension, tax_transfer
from kokuho.collection.app.charges import apply_assessment
from kokuho.collection.app.ports import Ports
from kokuho.collection.bootstrap import consignor
from kokuho.collection.config import Settings
from kokuho.collection.domain import zengin
from kokuho.collection.domain.errors import DuplicatePayment
from kokuho.collection.parameters import load_rules
from kokuho.events.contracts.assessment import Instalment, PremiumAssessed
from kokuho.platform.audit import RequestAudit
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings

#: demo households (synthetic: numbers of demo data start with 99)
DEMO = {
    "9950000001": "paid",
    "9950000002": "partly paid",
    "9950000003": "overdue",
    "9950000004": "direct debit",
}
#: the households of delinquency's demo cases (its seed): last fiscal year charged and unpaid,
#: so what those cases publish (a seizure's proceeds, a renewal of 時効) finds its charges;
#: 2000000001 is eligibility's first demo household, the special-care case
ARREARS_DEMO = (*(f"99300000{n:02d}" for n in range(1, 9)), "2000000001")
MONTHS = (6, 7, 8, 9, 10, 11, 12, 1, 2, 3)  # 第1期 June to 第10期 March (rules.md §4.7)


def demo_instalments(fiscal_year: int, annual: int) -> list[Instalment]:
    each = annual // 10
    rows = []
    for period, month in enumerate(MONTHS, start=1):
        year = fiscal_year if month >= 4 else fiscal_year + 1
        due = date(year, month, calendar.monthrange(year, month)[1])
        amount = annual - each * 9 if period == 1 else each
        rows.append(Instalment(period=period, due_date=due, amount=amount, difference=0))
    return rows


def demo_assessment(household: str, fiscal_year: int) -> PremiumAssessed:
    annual = 120_000 + int(household[-1]) * 10_000
    return PremiumAssessed(
        assessment_id=UUID(int=int(household) * 10_000 + fiscal_year),
        nhi_household_number=household,
        fiscal_year=fiscal_year,
        revision=1,
        kind="assessment",
        cause="annual_run",
        assessed_on=date(fiscal_year, 6, 15),
        annual_amount=annual,
        difference=0,
        statutory_reduction=0,
        insured_months=12,
        components=[],
        instalments=demo_instalments(fiscal_year, annual),
        parameter_documents=[],
        assessed_by="system:seed",
    )


@asynccontextmanager
async def unit_factory(
    settings: Settings, operation: str
) -> AsyncIterator[Callable[[], CollectionUnit]]:
    async with Eventing(settings, relay=False, pool_size=2) as eventing:
        trail = RequestAudit.of_system(lambda: eventing.pool, f"system:{operation}", operation)
        yield lambda: CollectionUnit(
            lambda: eventing.pool, audit=trail, topic=settings.events_topic
        )


def _today() -> date:
    return datetime.now(UTC).astimezone(JST).date()


async def seed(settings: ServiceSettings) -> str:
    """Charges of the last fiscal year for four demo households, through the use cases: one
    paid in full, one partly paid, one overdue, one paid by direct debit; and unpaid for the
    households of delinquency's demo cases."""
    assert isinstance(settings, Settings)
    today = _today()
    fiscal_year = (today.year if today.month >= 4 else today.year - 1) - 1
    rules = load_rules(settings.city, settings.parameters_directory)
    async with unit_factory(settings, "seed") as units:
        for household, kind in DEMO.items():
            assessed = demo_assessment(household, fiscal_year)
            await apply_assessment(units(), assessed)
            paid = {"paid": 10, "partly paid": 4, "overdue": 1, "direct debit": 10}[kind]
            channel = "direct_debit" if kind == "direct debit" else "counter"
            for inst in assessed.instalments[:paid]:
                command = counter_payments.CounterPayment(
                    household,
                    inst.amount,
                    fiscal_year,
                    inst.period,
                    f"DEMO-{household}-{inst.period:02d}",
                    inst.due_date,
                    "system:seed",
                    today,
                    channel,
                )
                with contextlib.suppress(DuplicatePayment):  # seeded already
                    await counter_payments.receive_at_counter(units(), rules, command)
        for household in ARREARS_DEMO:
            await apply_assessment(units(), demo_assessment(household, fiscal_year))
    return (
        f"demo: charges of {fiscal_year} for {len(DEMO)} households (paid, partly paid,"
        f" overdue, direct debit) and {len(ARREARS_DEMO)} in arrears (delinquency's demo cases)"
    )


async def import_command(settings: ServiceSettings, args: list[str]) -> int:
    """``import-payments FILE [--apply-valid-part]``: the payment file, as the API takes it."""
    assert isinstance(settings, Settings)
    if not args:
        print("usage: import-payments FILE [--apply-valid-part]")
        return 2
    path = Path(args[0])
    command = payments.ImportPayments(
        path.name,
        await asyncio.to_thread(path.read_text, encoding="utf-8"),
        "--apply-valid-part" in args,
        "system:import",
        _today(),
    )
    rules = load_rules(settings.city, settings.parameters_directory)
    async with unit_factory(settings, "import-payments") as units:
        matcher = matching_executor(settings.payment_file_workers)
        return await _report(lambda: payments.import_payments(units(), rules, command, matcher))


async def _report(run: Callable[[], Awaitable[payments.ImportOutcome]]) -> int:
    """Run an import and print its counts, or every refused line (exit 1)."""
    try:
        outcome = await run()
    except payments.PaymentFileRefused as refused:
        for line in refused.refused:
            print(f"line {line.line}: {line.field or 'line'}: {line.reason}")
        print(refused)
        return 1
    rec = outcome.record
    print(
        f"import {rec.import_id}: {rec.lines} lines, {rec.applied} applied,"
        f" {rec.refused} refused, {rec.work_items} on the work list"
        + (" (replayed)" if outcome.replayed else "")
    )
    return 0


async def debit_request_command(settings: ServiceSettings, args: list[str]) -> int:
    """``debit-request YYYY-MM-DD OUT``: the month's Zengin request file, written in cp932."""
    assert isinstance(settings, Settings)
    if len(args) != 2:
        print("usage: debit-request YYYY-MM-DD OUT")
        return 2
    ports = Ports(
        load_rules(settings.city, settings.parameters_directory),
        _today,
        lambda d: b"",
        ZenginBanks(),
        to_bank_kana,
        consignor(settings),
    )
    async with unit_factory(settings, "debit-request") as units:
        made = await debits.request_file(
            units(), ports, date.fromisoformat(args[0]), "system:debit-request"
        )
    await asyncio.to_thread(Path(args[1]).write_bytes, made.content.encode(zengin.ENCODING))
    r = made.request
    print(f"debit request {r.debit_on}: {r.count} records, {r.total} yen")
    return 0


async def debit_results_command(settings: ServiceSettings, args: list[str]) -> int:
    """``import-debit-results FILE [--apply-valid-part]``: the bank's Zengin result file."""
    assert isinstance(settings, Settings)
    if not args:
        print("usage: import-debit-results FILE [--apply-valid-part]")
        return 2
    path = Path(args[0])
    command = debits.ImportDebitResults(
        path.name,
        await asyncio.to_thread(path.read_bytes),
        "--apply-valid-part" in args,
        "system:import",
        _today(),
    )
    ports = Ports(load_rules(settings.city, settings.parameters_directory), _today, lambda d: b"")
    async with unit_factory(settings, "import-debit-results") as units:
        return await _report(lambda: debits.import_results(units(), ports, command))


async def pension_results_command(settings: ServiceSettings, args: list[str]) -> int:
    """``import-pension-results FILE [--apply-valid-part]``: the pension insurer's results."""
    assert isinstance(settings, Settings)
    if not args:
        print("usage: import-pension-results FILE [--apply-valid-part]")
        return 2
    path = Path(args[0])
    command = pension.ImportPensionResults(
        path.name,
        await asyncio.to_thread(path.read_text, encoding="utf-8"),
        "--apply-valid-part" in args,
        "system:import",
        _today(),
    )
    rules = load_rules(settings.city, settings.parameters_directory)
    async with unit_factory(settings, "import-pension-results") as units:
        return await _report(lambda: pension.import_results(units(), rules, command))


async def _job(settings: ServiceSettings, name: str, args: list[str]) -> int:
    assert isinstance(settings, Settings)
    day = date.fromisoformat(args[0]) if args else _today()
    rules = load_rules(settings.city, settings.parameters_directory)
    run = jobs.run_dunning if name == "dunning" else jobs.run_prescription
    async with unit_factory(settings, name) as units:
        outcome = await run(units(), rules, day)
    print(f"{name} {day}: {outcome.items} for {outcome.households} households")
    return 0


async def dunning_command(settings: ServiceSettings, args: list[str]) -> int:
    """``dunning [YYYY-MM-DD]``: the daily 督促 job."""
    return await _job(settings, "dunning", args)


async def prescription_command(settings: ServiceSettings, args: list[str]) -> int:
    """``prescription [YYYY-MM-DD]``: the daily 時効 job."""
    return await _job(settings, "prescription", args)


async def tax_transfer_command(settings: ServiceSettings, args: list[str]) -> int:
    """``tax-deduction-transfer --year YYYY``: 移転 1, the premiums paid per household in the
    calendar year for the municipal tax division (once; a re-run changes nothing)."""
    assert isinstance(settings, Settings)
    if len(args) != 2 or args[0] != "--year" or not args[1].isdigit():
        print("usage: tax-deduction-transfer --year YYYY")
        return 2
    async with unit_factory(settings, "tax-deduction-transfer") as units:
        outcome = await tax_transfer.transfer_premiums_paid(
            units(), int(args[1]), "system:tax-deduction-transfer", _today()
        )
    t = outcome.transfer
    state = "already recorded" if outcome.replayed else "recorded and published"
    print(
        f"tax deduction transfer {t.calendar_year} ({t.flow_id} to {t.recipient}): "
        f"{t.households} households, {t.total} yen, {state}"
    )
    return 0


async def retention_command(settings: ServiceSettings, args: list[str]) -> int:
    """``retention [--dry-run]``: erase the household ledgers settled and past their period
    today (C-95, C-96; ``parameters/retention.toml``; ADR 0100) and print the report;
    ``--dry-run`` erases nothing."""
    from kokuho.collection.adapters.retention import RetentionUnit
    from kokuho.collection.app.retention import apply_retention
    from kokuho.collection.parameters import load_retention
    from kokuho.platform.retention_postgres import run_retention

    assert isinstance(settings, Settings)
    period = load_retention(settings.parameters_directory)
    return await run_retention(settings, args, period, apply_retention, RetentionUnit)
