"""The bulk certificate run over the demo city on the real PostgreSQL (issue 14): every member
gets the document the rule of rules.md 5.4 gives (one test per rule), the 70-74 rate printed is
benefits' decision, the print files and mailing lists hold every issued document, a stopped run
resumes without issuing twice, and a re-run issues nothing new."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from kokuho.eligibility.adapters.print_files import PrintFiles
from kokuho.eligibility.adapters.unit_of_work import EligibilityUnit
from kokuho.eligibility.app.certificate_runs import RunSummary, run_renewal
from kokuho.eligibility.app.demo_city import seed_city
from kokuho.eligibility.app.direct import act
from kokuho.eligibility.app.ports import Eligibility, Topics
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain.certificate_choice import CONFIRMATION_DOCUMENT as DOC
from kokuho.eligibility.domain.certificate_choice import INFORMATION_NOTICE as NOTICE
from kokuho.eligibility.parameters import load_rules
from kokuho.eligibility.parameters.renewal import load_renewal
from kokuho.events.testing.databases import temporary_database
from kokuho.platform.database import migrate, migration_files
from kokuho.platform.documents import checks

from ..conftest import MIGRATIONS

pytestmark = pytest.mark.integration

SEEDED = datetime(2026, 5, 10, 1, 0, tzinfo=UTC)
RUN_DAY = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 10:00 JST, 2026-07-01

#: (basis given to one member, the document and reason the rule gives on 2026-07-01)
RULES: dict[str, tuple[dict[str, Any], str, str]] = {
    "registered": ({"card_status": "registered"}, NOTICE, "registered"),
    "no_card": ({"card_status": "no_card"}, DOC, "no_card"),
    "not_registered": ({"card_status": "not_registered"}, DOC, "not_registered"),
    "registration_cancelled": (
        {"card_status": "registration_cancelled"},
        DOC,
        "registration_cancelled",
    ),
    "card_returned": ({"card_status": "card_returned"}, DOC, "card_returned"),
    "lapsed_exactly_3_months": (
        {"card_status": "registered", "expires": date(2026, 4, 1)},
        NOTICE,
        "registered",
    ),
    "lapsed_more_than_3_months": (
        {"card_status": "registered", "expires": date(2026, 3, 31)},
        DOC,
        "e_certificate_lapsed",
    ),
    "dv_support": ({"card_status": "registered", "dv": True}, DOC, "dv_support"),
    "on_application": ({"card_status": "registered", "application": True}, DOC, "on_application"),
    "never_reported": ({}, DOC, "status_unknown"),
}


@dataclass
class City:
    dsn: str
    print_dir: Path
    assigned: dict[str, str] = field(default_factory=dict)  # rule -> addressee
    elderly: str | None = None
    first: RunSummary | None = None
    second: RunSummary | None = None
    interrupted_run: Any = None


class Stop(Exception):
    pass


async def _units(pool: asyncpg.Pool) -> Any:
    def unit() -> EligibilityUnit:
        return EligibilityUnit(lambda: pool, topics=Topics("test.unused", "test.unused.pd"))

    return unit


@pytest.fixture(scope="module")
async def city(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[City]:
    async with temporary_database(pg_admin_dsn) as dsn:
        await migrate(dsn, migration_files(MIGRATIONS))
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        try:
            units = await _units(pool)
            rules = load_rules()
            await seed_city(units(), Eligibility(rules, clock=lambda: SEEDED), 40)
            found = City(dsn, tmp_path_factory.mktemp("print"))
            members = await pool.fetch(
                "SELECT addressee_number, nhi_household_number, birth_date"
                " FROM qualification_periods WHERE open ORDER BY addressee_number"
            )
            young = [m for m in members if m["birth_date"] > date(1960, 1, 1)]
            for (name, (basis, _, _)), member in zip(RULES.items(), young, strict=False):
                addressee = member["addressee_number"]
                found.assigned[name] = addressee
                async with units() as uow:
                    if "card_status" in basis:
                        await uow.certificate_runs.record_card_status(
                            addressee, basis["card_status"], basis.get("expires"), date(2026, 6, 1)
                        )
                    if basis.get("dv") or basis.get("application"):
                        await uow.certificate_runs.record_basis(
                            addressee, basis.get("dv"), basis.get("application")
                        )
            # a 70-74 member whose rate benefits decided on income: 3割 (rules.md 3.4)
            elderly = next(
                m for m in members if date(1952, 8, 2) <= m["birth_date"] <= date(1955, 6, 1)
            )
            found.elderly = elderly["addressee_number"]
            ports = Eligibility(rules, clock=lambda: RUN_DAY)
            decision = c.ApplyCopaymentDecision(
                found.elderly, 3, date(2025, 8, 1), date(2026, 7, 31)
            )
            await act(
                units(), ports, elderly["nhi_household_number"], decision, "copayment_rate", "t"
            )
            async with units() as uow:
                await uow.certificate_runs.record_card_status(
                    found.elderly, "registered", None, date(2026, 6, 1)
                )
            renewal = load_renewal()
            printer = PrintFiles(found.print_dir)

            def stop_after_first(run: RunSummary) -> None:
                if run.status == "issuing":
                    raise Stop

            with pytest.raises(Stop):
                await run_renewal(
                    units, ports, renewal, "batch1", printer, progress_every=7,
                    on_progress=stop_after_first,
                )  # fmt: skip
            found.interrupted_run = await pool.fetchrow("SELECT * FROM certificate_runs")
            found.first = await run_renewal(units, ports, renewal, "batch1", printer, chunk=10)
            found.second = await run_renewal(units, ports, renewal, "batch1", printer, chunk=10)
            yield found
        finally:
            await pool.close()


async def rows(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def held(dsn: str, addressee: str) -> list[asyncpg.Record]:
    return await rows(
        dsn,
        "SELECT kind, issue_date, valid_until, copayment_rate_tenths FROM certificates"
        " WHERE addressee_number = $1 AND collected_date IS NULL"
        " AND kind IN ('eligibility_confirmation_document', 'eligibility_information_notice')",
        addressee,
    )


@pytest.mark.parametrize("rule", list(RULES))
async def test_each_rule_gives_its_document(city: City, rule: str) -> None:
    _, kind, reason = RULES[rule]
    addressee = city.assigned[rule]
    items = await rows(
        city.dsn,
        "SELECT kind, reason FROM certificate_run_items WHERE addressee_number = $1",
        addressee,
    )
    documents = await held(city.dsn, addressee)
    renewal = load_renewal()
    covering = [
        d for d in documents
        if d["kind"] == kind and (
            d["issue_date"] >= renewal.issued_from
            or d["valid_until"] is None
            or d["valid_until"] >= renewal.valid_until
        )
    ]  # fmt: skip
    assert covering, f"{rule}: no {kind} held after the run ({documents})"
    if items:  # issued by the run (a member holding one already was kept)
        assert [(i["kind"], i["reason"]) for i in items] == [(kind, reason)]
    else:
        assert kind == DOC  # only seeded documents are 資格確認書


async def test_every_member_holds_the_rule_s_document_and_the_run_stopped_midway_resumed(
    city: City,
) -> None:
    assert city.first is not None
    assert city.interrupted_run is not None
    assert city.first.resumed
    assert city.first.run_id == city.interrupted_run["run_id"]
    members = await rows(city.dsn, "SELECT addressee_number FROM qualification_periods WHERE open")
    assert city.first.candidates == len(members)
    issued = await rows(
        city.dsn,
        "SELECT addressee_number, count(*) AS n FROM certificate_run_items GROUP BY 1",
    )
    assert all(r["n"] == 1 for r in issued)  # the resumed run issued nobody twice
    for member in members:
        assert await held(city.dsn, member["addressee_number"])
    run = (await rows(city.dsn, "SELECT * FROM certificate_runs"))[0]
    assert run["status"] == "done"
    assert run["finished_at"] is not None
    assert run["issued"] == len(issued)
    assert run["refused"] == 0


async def test_a_re_run_issues_nothing_new(city: City) -> None:
    assert city.second is not None
    assert city.first is not None
    assert city.second.run_id != city.first.run_id
    assert city.second.issued == 0
    assert city.second.kept == city.second.candidates == city.first.candidates
    assert city.second.print_files == []


async def test_confirmation_documents_end_on_the_renewal_s_day_or_the_member_s_own(
    city: City,
) -> None:
    renewal = load_renewal()
    ends = await rows(
        city.dsn,
        "SELECT c.valid_until FROM certificate_run_items i JOIN certificates c"
        " USING (certificate_id) WHERE i.kind = $1",
        DOC,
    )
    assert ends
    assert all(e["valid_until"] <= renewal.valid_until for e in ends)
    assert any(e["valid_until"] == renewal.valid_until for e in ends)


async def test_the_70_74_rate_printed_is_benefits_decision(city: City) -> None:
    assert city.elderly is not None
    documents = await held(city.dsn, city.elderly)
    notice = [d for d in documents if d["kind"] == NOTICE]
    assert notice
    assert notice[0]["copayment_rate_tenths"] == 3
    assert notice[0]["valid_until"] == date(2026, 7, 31)  # the rate's August-July period
    text = pdf_of(city, city.elderly)
    assert "一部負担金の割合 3割" in text


def mailing(city: City) -> list[dict[str, str]]:
    assert city.first is not None
    out = []
    for path in sorted((city.print_dir / str(city.first.run_id)).glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            out.extend({"file": path.stem, **r} for r in csv.DictReader(f))
    return out


def pdf_of(city: City, addressee: str) -> str:
    line = next(r for r in mailing(city) if r["addressee_number"] == addressee)
    assert city.first is not None
    pdf = (city.print_dir / str(city.first.run_id) / f"{line['file']}.pdf").read_bytes()
    pages = checks.text_of(pdf).split("\f")
    return pages[int(line["page"]) - 1]


async def test_print_files_and_mailing_lists_hold_every_issued_document(city: City) -> None:
    assert city.first is not None
    issued = await rows(
        city.dsn, "SELECT certificate_id::text AS id FROM certificate_run_items ORDER BY seq"
    )
    lines = mailing(city)
    assert [r["certificate_id"] for r in lines] == [r["id"] for r in issued]
    files = sorted((city.print_dir / str(city.first.run_id)).glob("*.pdf"))
    assert len(files) == -(-len(issued) // 10) == len(city.first.print_files)
    assert not list(city.print_dir.rglob("*.part"))
    first_page = checks.text_of(files[0].read_bytes()).split("\f")[0]
    assert lines[0]["title"] in first_page
    assert lines[0]["insured_number"] in first_page
    ok, report = checks.verapdf(files[:1])
    assert ok, report
