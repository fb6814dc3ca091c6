"""Commands beyond migrate/serve: the synthetic demo seed and the what-if CLI (保険料試算)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from kokuho.assessment.adapters.simulation_workers import worker_processes
from kokuho.assessment.adapters.unit_of_work import AssessmentUnit
from kokuho.assessment.app.assessing import assess_household, first_correctable_year
from kokuho.assessment.app.ports import ParametersFor
from kokuho.assessment.app.rate_simulation import RateSimulationIn, candidates_of, simulate_year
from kokuho.assessment.app.what_if import (
    HouseholderNotListed,
    WhatIfIn,
    premium_calculation,
    what_if_parameters,
)
from kokuho.assessment.bootstrap import parameters_source
from kokuho.assessment.config import Settings
from kokuho.assessment.domain.errors import AssessmentError
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import IncomeRecord
from kokuho.platform import database
from kokuho.platform.audit import RequestAudit

#: synthetic demo households (as if eligibility had published them): numbers start with 99
DemoHousehold = tuple[str, str, bool, list[tuple[str, date, date | None]], dict[str, Income]]

DEMO: list[DemoHousehold] = [
    # (household, householder, deemed, [(addressee, birth, acquisition)], {addressee: income})
    (
        "9900000001",
        "9910000001",
        False,
        [
            ("9910000001", date(1980, 5, 5), None),
            ("9910000002", date(1982, 8, 8), None),
            ("9910000003", date(2015, 9, 9), None),
            ("9910000004", date(2021, 11, 11), None),
        ],
        {"9910000001": Income(salary_revenue=5_500_000, salary_income=4_000_000)},
    ),
    (
        "9900000002",
        "9910000011",
        False,
        [("9910000011", date(1955, 1, 10), None)],
        {"9910000011": Income(pension_revenue=1_680_000, pension_income=580_000)},
    ),
    (
        "9900000003",
        "9910000021",
        True,
        [("9910000022", date(1990, 7, 7), date(2026, 6, 15))],
        {"9910000021": Income(salary_revenue=7_000_000, salary_income=5_000_000)},
    ),
]
DEMO_YEAR = 2026

#: a demo household that moved in on April 1 of the first correctable year, assessed for that
#: year and then corrected (更正) after a corrected income line: the correction period end to
#: end in the demo (ADR 0035, 0036). FY2024 in FY2026, computed with the demonstration file
#: when Hiroshima's own FY2024 file is unconfirmed (``demo_parameters``).
CORRECTION_DEMO = ("9900000004", "9910000031", date(1978, 3, 3))
CORRECTION_DEMO_INCOMES = (
    Income(salary_revenue=3_600_000, salary_income=2_440_000),
    Income(salary_revenue=3_000_000, salary_income=2_020_000),
)


async def seed(settings: Settings) -> str:
    conn = await database.connect(settings)
    parameters_for = parameters_source(settings)
    assessed = 0
    try:
        async with AssessmentUnit(conn=conn, topic=settings.events_topic) as uow:
            for household in DEMO:
                assessed += await _seed_household(uow, parameters_for, household)
            corrected = await _seed_correction(uow, parameters_for)
    finally:
        await conn.close()
    return f"demo: {len(DEMO)} households, {assessed} assessed for FY{DEMO_YEAR}; {corrected}"


async def _seed_correction(uow: AssessmentUnit, parameters_for: ParametersFor) -> str:
    """The correction demo: assessed for the first correctable year with the first income,
    then corrected with the second; left alone once assessed (a second seed changes nothing).
    A year the parameters refuse is reported, not failed: the other demo data stand."""
    number, person, birth = CORRECTION_DEMO
    today = date.today()
    year = first_correctable_year(parameters_for, today)
    if await uow.assessments.load_assessment(number, year) is not None:
        return f"FY{year} correction demo already seeded"
    try:
        parameters_for(year)
    except AssessmentError as refused:
        return f"FY{year} correction demo not seeded: {refused}"
    await uow.conn.execute(
        "INSERT INTO households (nhi_household_number, householder_addressee_number,"
        " deemed_householder) VALUES ($1, $2, false) ON CONFLICT DO NOTHING",
        number,
        person,
    )
    await uow.conn.execute(
        "INSERT INTO household_members (nhi_household_number, addressee_number,"
        " birth_date, acquisition_date) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        number,
        person,
        birth,
        date(year, 4, 1),
    )
    amounts = []
    for cause, income in zip(("request", "income_change"), CORRECTION_DEMO_INCOMES, strict=True):
        await uow.incomes.write_incomes(
            [IncomeRecord(person, year - 1, birth, income, "taxable")],
            source="tax_file",
            import_id=None,
            channel=None,
            actor="system:seed",
        )
        outcome = await assess_household(
            uow,
            parameters_for,
            nhi_household_number=number,
            fiscal_year=year,
            cause=cause,
            actor="system:seed",
            today=today,
        )
        amounts.append(outcome.assessment.annual_amount)
    return f"FY{year} household {number} assessed {amounts[0]} then corrected to {amounts[1]}"


async def _seed_household(
    uow: AssessmentUnit, parameters_for: ParametersFor, household: DemoHousehold
) -> int:
    """One demo household as eligibility would have published it, its income, assessed."""
    number, head, deemed, members, incomes = household
    await uow.conn.execute(
        "INSERT INTO households (nhi_household_number, householder_addressee_number,"
        " deemed_householder) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        number,
        head,
        deemed,
    )
    await uow.conn.executemany(
        "INSERT INTO household_members (nhi_household_number, addressee_number,"
        " birth_date, acquisition_date) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING",
        [(number, a, b, acq) for a, b, acq in members],
    )
    births = {a: b for a, b, _ in members}
    records = [
        IncomeRecord(
            a, DEMO_YEAR - 1, births.get(a, date(1970, 1, 1)), incomes.get(a, Income()), "unknown"
        )
        for a in sorted(set(births) | set(incomes))
    ]
    await uow.incomes.write_incomes(
        records, source="tax_file", import_id=None, channel=None, actor="system:seed"
    )
    outcome = await assess_household(
        uow,
        parameters_for,
        nhi_household_number=number,
        fiscal_year=DEMO_YEAR,
        cause="request",
        actor="system:seed",
        today=date.today(),
    )
    return int(outcome.changed)


async def what_if(settings: Settings, args: list[str]) -> int:
    """``what-if <household.json>``: print the premium, its explanation and, with a pension,
    whether 特別徴収 applies, exactly as ``POST /premium-calculations`` answers (no stored
    data). A bad file or a year without parameters is reported on stderr with exit status 2."""
    if len(args) != 1:
        print("usage: python -m kokuho.assessment what-if <household.json>", file=sys.stderr)
        return 2
    try:
        text = await asyncio.to_thread(Path(args[0]).read_text, encoding="utf-8")
        body = WhatIfIn.model_validate_json(text)
        out = premium_calculation(body, what_if_parameters(body, parameters_source(settings)))
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args[0]}: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        for e in error.errors():
            where = "/" + "/".join(str(part) for part in e["loc"])
            print(f"{where}: {e['msg']}", file=sys.stderr)
        return 2
    except HouseholderNotListed as refused:
        print(f"{refused.pointer}: not among people", file=sys.stderr)
        print(str(refused), file=sys.stderr)
        return 2
    except AssessmentError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


async def annual_run(settings: Settings, args: list[str]) -> int:
    """``annual-run <fiscal_year> [--chunk N]``: run or resume 本算定, printing progress and the
    summary (households, totals per component, reductions, refused households with reasons)."""
    import argparse

    from kokuho.assessment.adapters.annual_run import RunSummary, run_annual

    parser = argparse.ArgumentParser(prog="python -m kokuho.assessment annual-run")
    parser.add_argument("fiscal_year", type=int)
    parser.add_argument("--chunk", type=int, default=2000)
    ns = parser.parse_args(args)

    def progress(s: RunSummary) -> None:
        print(
            f"{s.households} households, {s.assessed} assessed, {s.unchanged} unchanged,"
            f" {len(s.refused)} refused",
            flush=True,
        )

    if ns.chunk < 1:
        print("--chunk must be at least 1", file=sys.stderr)
        return 2
    rulebook = parameters_source(settings)
    try:
        rulebook(ns.fiscal_year)  # a year without complete parameters is refused before any write
    except AssessmentError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 2
    pool = await database.create_pool(settings, min_size=1, max_size=2)
    try:
        summary = await run_annual(
            pool,
            rulebook,
            ns.fiscal_year,
            actor="system:annual-run",
            today=date.today(),
            chunk_size=ns.chunk,
            topic=settings.events_topic,
            progress=progress,
            workers=settings.annual_run_workers,
        )
    finally:
        await pool.close()
    print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    return 0


async def rate_simulation(settings: Settings, args: list[str]) -> int:
    """``rate-simulation <request.json>``: 料率改定試算, the answer of ``POST /rate-simulations``
    for that JSON body (``fiscal_year``, ``candidates``), printed as JSON; nothing is stored
    but the audit record. A bad file or candidate is reported on stderr with exit status 2."""
    if len(args) != 1:
        print("usage: python -m kokuho.assessment rate-simulation <request.json>", file=sys.stderr)
        return 2
    try:
        text = await asyncio.to_thread(Path(args[0]).read_text, encoding="utf-8")
        body = RateSimulationIn.model_validate_json(text)
        current, candidates = candidates_of(parameters_source(settings), body)
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args[0]}: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        for e in error.errors():
            where = "/" + "/".join(str(part) for part in e["loc"])
            print(f"{where}: {e['msg']}", file=sys.stderr)
        return 2
    except AssessmentError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 2
    conn = await database.connect(settings)
    try:
        trail = RequestAudit.of_system(lambda: conn, "system:rate-simulation", "rate-simulation")
        uow = AssessmentUnit(conn=conn, topic=settings.events_topic, audit=trail)
        out = await simulate_year(
            uow,
            body.fiscal_year,
            current,
            candidates,
            assessors=worker_processes(settings.simulation_workers),
        )
    finally:
        await conn.close()
    print(json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


async def retention_command(settings: Settings, args: list[str]) -> int:
    """``retention [--dry-run]``: erase the premiums, incomes and pensions whose 5 years are
    over today (C-95, C-96; ``parameters/retention.toml``; ADR 0096) and print the report as
    JSON; ``--dry-run`` erases nothing. Exit 2 on unknown arguments."""
    from datetime import UTC, datetime, timedelta, timezone

    from kokuho.assessment.app.retention import OPERATION, SYSTEM_RETENTION, apply_retention
    from kokuho.assessment.parameters import load_retention

    unknown = [a for a in args if a != "--dry-run"]
    if unknown:
        print(f"retention: unknown arguments {unknown}; usage: retention [--dry-run]")
        return 2
    rule = load_retention(settings.parameters_directory)
    # the platform's pool: the service's database TLS (verify-full when configured, ADR 0094)
    pool = await database.create_pool(settings, min_size=1, max_size=2)

    def units() -> AssessmentUnit:
        trail = RequestAudit.of_system(lambda: pool, SYSTEM_RETENTION, OPERATION)
        return AssessmentUnit(lambda: pool, audit=trail, topic=settings.events_topic)

    now = datetime.now(UTC)
    try:
        report = await apply_retention(
            units,
            rule,
            now=now,
            on=now.astimezone(timezone(timedelta(hours=9))).date(),  # Japan's day
            dry_run="--dry-run" in args,
        )
    finally:
        await pool.close()
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    return 0
