"""Certificates by マイナ保険証 state and the statutory reports over the demo city, on the real
PostgreSQL and Kafka (issue 14).

Eligibility is served with its relay and consumers on the test's own topics and the demo city
is seeded. The online-qualification side's states arrive as linkage-gateway's
``MynaInsuranceCardStatusChanged`` on its topic; the bulk run (``POST /jobs/certificates``)
issues the rule's document to every member and a second run issues nothing. Assessment's,
collection's and benefits' events for the demo households are published on their topics as
those services publish them; the monthly report (JSON and CSV) must equal the figures this
test computes by itself from the events on the topics: eligibility's QualificationAcquired /
QualificationLost read back from Kafka and the events it published."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from kokuho.eligibility import bootstrap as eligibility_bootstrap
from kokuho.eligibility import config as eligibility_config
from kokuho.eligibility.commands import seed
from kokuho.events.contracts import Envelope, parse_data
from kokuho.events.contracts.assessment import ComponentAmount, PremiumAssessed
from kokuho.events.contracts.benefits import BenefitPaymentOrdered
from kokuho.events.contracts.collection import Applied, PaymentReceived, PaymentReversed
from kokuho.events.contracts.eligibility import QualificationAcquired, QualificationLost
from kokuho.events.contracts.linkage_gateway import MynaInsuranceCardStatusChanged
from kokuho.events.runtime.connection import KafkaConnection
from kokuho.events.testing.kafka import publish, read_topic
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.testing import OwnTopics, eventually, migrated_database, serving
from kokuho.platform.testing import staff_headers as headers
from kokuho.platform.token import new_private_key

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS = 30
DOC, NOTICE = "eligibility_confirmation_document", "eligibility_information_notice"


def month_end(day: date) -> date:
    first_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def age(birth: date, on: date) -> int:
    after = on + timedelta(days=1)  # attained the day before the birthday
    return after.year - birth.year - ((after.month, after.day) < (birth.month, birth.day))


def expected_members(events: list[Any], end: date) -> dict[str, int]:
    """Members and households on ``end`` from eligibility's events alone."""
    periods: dict[str, list[list[Any]]] = defaultdict(list)  # addressee -> [household, from, to]
    births: dict[str, date] = {}
    for e in events:
        if isinstance(e, QualificationAcquired):
            periods[e.addressee_number].append([e.nhi_household_number, e.acquisition_date, None])
            births[e.addressee_number] = e.birth_date
        elif isinstance(e, QualificationLost):
            for p in periods[e.addressee_number]:
                if p[0] == e.nhi_household_number and p[2] is None:
                    p[2] = e.loss_date
    insured = {
        a: ps[-1][0]
        for a, ps in periods.items()
        if any(p[1] <= end and (p[2] is None or p[2] > end) for p in ps)
    }
    ages = [age(births[a], end) for a in insured]
    return {
        "households": len(set(insured.values())),
        "members": len(insured),
        "under_6": sum(x < 6 for x in ages),
        "aged_40_64": sum(40 <= x <= 64 for x in ages),
        "aged_65_74": sum(65 <= x <= 74 for x in ages),
        "aged_70_74": sum(70 <= x <= 74 for x in ages),
    }


def premium(
    household: str,
    fy: int,
    revision: int,
    on: date,
    amount: int,
    prev: int | None,
    reduced: bool = True,
) -> PremiumAssessed:
    """A household's assessment; with ``reduced`` it carries the 軽減額 (ADR 0080), without
    it is an event from before they were published."""
    level = (0, 2, 5, 7)[revision % 4]
    reductions = (
        {"per_capita_reduction": amount * level // 30, "per_household_reduction": amount // 40}
        if reduced
        else {}
    )
    return PremiumAssessed(
        assessment_id=uuid4(),
        nhi_household_number=household,
        fiscal_year=fy,
        revision=revision,
        kind="assessment" if revision == 1 else "correction",
        cause="annual_run" if revision == 1 else "eligibility_change",
        assessed_on=on,
        annual_amount=amount,
        previous_annual_amount=prev,
        difference=0 if prev is None else amount - prev,
        statutory_reduction=level,
        insured_months=12,
        components=[
            ComponentAmount(
                component="medical", amount=amount, months=12, income_levy=0, asset_levy=0,
                per_capita_levy=amount // 2, per_household_levy=amount // 4, capped=False,
                **reductions,
            )
        ],
        parameter_documents=["national-2026"],
    )  # fmt: skip


async def test_certificates_by_card_state_and_the_monthly_report_from_the_events(
    pg_admin_dsn: str, kafka: KafkaConnection, own_topics: OwnTopics, tmp_path: Path
) -> None:
    key = new_private_key("ES256")
    verifier = TokenVerifier([key.public_key()])  # type: ignore[list-item]
    batch = headers(key, "batch-1", "batch.operator", terminal_id="T-E2E")
    clerk = headers(key, "clerk-1", "eligibility.clerk", terminal_id="T-E2E")
    supervisor = headers(key, "sv-1", "eligibility.supervisor", terminal_id="T-E2E")
    today = date.today()
    fy = today.year if today.month >= 4 else today.year - 1
    async with migrated_database(pg_admin_dsn, ROOT / "services/eligibility/migrations") as dsn:
        settings = eligibility_config.Settings(
            database_dsn=dsn,
            kafka_bootstrap_servers=kafka.bootstrap_servers,
            turning_75_daily=False,
            resident_register_poll_seconds=None,
            seed_households=HOUSEHOLDS,
            print_dir=tmp_path / "print",
            **own_topics.eligibility(),
        )
        app = eligibility_bootstrap.build(settings, token_verifier=verifier)
        async with serving(app, "eligibility") as eligibility:
            await seed(settings)
            # eligibility's events as Kafka has them (the relay publishes the seed's outbox)
            await eventually(lambda: _relayed(dsn), timeout=180)
            records = await read_topic(kafka, own_topics.eligibility_events)
            envelopes = [Envelope.from_json_bytes(r.value) for r in records if r.value]
            events = [parse_data(e.type, e.data) for e in envelopes]
            members = sorted(
                {e.addressee_number: e for e in events if isinstance(e, QualificationAcquired)}
            )
            households = sorted(
                {e.nhi_household_number for e in events if isinstance(e, QualificationAcquired)}
            )

            # --- certificates: the online-qualification side's states through linkage-gateway
            states = ["registered", "no_card", "not_registered", "registration_cancelled"]
            stated = {a: states[i % len(states)] for i, a in enumerate(members[:12])}
            for addressee, state in stated.items():
                await publish(
                    kafka,
                    own_topics.linkage_events,
                    addressee,
                    MynaInsuranceCardStatusChanged(
                        addressee_number=addressee, status=state, as_of=today
                    ),
                    source="/kokuho/linkage-gateway",
                )
            last = list(stated)[-1]

            async def basis_arrived() -> bool:
                r = await eligibility.get(
                    f"/api/v1/persons/{last}/certificate-basis", headers=clerk
                )
                return r.status_code == 200 and r.json()["card_status"] == stated[last]

            await eventually(basis_arrived, timeout=60)
            r = await eligibility.post("/api/v1/jobs/certificates", headers=batch)
            assert r.status_code == 200, r.text
            first = r.json()
            assert first["status"] == "done"
            assert first["refused"] == 0
            assert first["issued"] + first["kept"] == first["candidates"] > 0
            issued = await _run_items(dsn, first["run_id"])
            assert sum(len(kinds) for kinds in issued.values()) == first["issued"]
            for addressee in await _open_members(dsn):
                kinds = await _held_kinds(dsn, addressee)
                want = NOTICE if stated.get(addressee) == "registered" else DOC
                assert want in kinds, (addressee, stated.get(addressee), kinds)
                # the run issued the rule's document and no other (the seed's stay held)
                assert issued.get(addressee, [want]) == [want], (addressee, issued[addressee])
            r = await eligibility.post("/api/v1/jobs/certificates", headers=batch)
            assert r.status_code == 200, r.text
            second = r.json()
            assert second["run_id"] != first["run_id"]
            assert second["issued"] == 0
            assert second["kept"] == second["candidates"] == first["candidates"]
            r = await eligibility.get(f"/api/v1/certificate-runs/{first['run_id']}", headers=batch)
            assert r.status_code == 200, r.text
            assert r.json()["issued"] == first["issued"]
            assert len(list((tmp_path / "print" / first["run_id"]).glob("*.pdf"))) >= 1

            # --- reports: assessment's, collection's and benefits' events for the demo city
            month_start = today.replace(day=1)
            end = month_end(today)
            published: list[Any] = []
            for i, household in enumerate(households):
                amount = 100_000 + 1_000 * i
                events_of = [
                    premium(household, fy, 1, month_start, amount, None, reduced=i % 9 != 4)
                ]
                if i % 5 == 0:  # a correction in the month
                    events_of.append(
                        premium(household, fy, 2, month_start, amount - 10_000, amount)
                    )
                if i % 2 == 0:
                    events_of.append(
                        PaymentReceived(
                            nhi_household_number=household, payment_id=f"P{i}", amount=9_000 + i,
                            channel="bank", fiscal_year=fy, period=1,
                            applied=[Applied(fiscal_year=fy, period=1, amount=9_000 + i)],
                            late_charge_applied=[], overpaid=0, reference=f"R{i}",
                            received_on=month_start, paid_on=month_start,
                        )
                    )  # fmt: skip
                if i % 6 == 0:
                    events_of.append(
                        PaymentReversed(
                            nhi_household_number=household, payment_id=f"P{i}", reason="誤入力",
                            reversed_by="clerk", effective_on=month_start, from_held=0,
                            principal=[Applied(fiscal_year=fy, period=1, amount=1_000)],
                        )
                    )  # fmt: skip
                if i % 7 == 0:
                    events_of.append(
                        BenefitPaymentOrdered(
                            payment_id=uuid4(), decision_id=uuid4(),
                            benefit_kind="high_cost" if i % 2 else "funeral",
                            nhi_household_number=household, payee_addressee_number=members[0],
                            treatment_month=None, amount=20_000 + i, payment_date=month_start,
                            ordered_by="benefits-clerk", ordered_on=month_start,
                        )
                    )  # fmt: skip
                topic = {
                    PremiumAssessed: own_topics.assessment_events,
                    PaymentReceived: own_topics.collection_events,
                    PaymentReversed: own_topics.collection_events,
                    BenefitPaymentOrdered: own_topics.benefits_events,
                }
                for event in events_of:
                    await publish(
                        kafka, topic[type(event)], household, event, source="/kokuho/test"
                    )
                published.extend(events_of)

            benefits = [e for e in published if isinstance(e, BenefitPaymentOrdered)]
            month = f"{today.year:04d}-{today.month:02d}"

            # the figures, computed here from the events alone
            want: dict[str, Any] = dict(expected_members(events, end))
            latest: dict[str, PremiumAssessed] = {}
            change = 0
            for e in published:
                if isinstance(e, PremiumAssessed):
                    change += e.annual_amount - (e.previous_annual_amount or 0)
                    held = latest.get(e.nhi_household_number)
                    if held is None or e.revision > held.revision:
                        latest[e.nhi_household_number] = e
            collected = sum(
                sum(a.amount for a in e.applied)
                for e in published
                if isinstance(e, PaymentReceived)
            ) - sum(
                sum(a.amount for a in e.principal)
                for e in published
                if isinstance(e, PaymentReversed)
            )
            total = sum(e.annual_amount for e in latest.values())
            want |= {
                "fiscal_year": fy,
                "assessed_current_in_period": change,
                "assessed_past_in_period": 0,
                "assessed_current_total": total,
                "collected_current_in_period": collected,
                "collected_past_in_period": 0,
                "collected_current_to_date": collected,
                "collection_rate_current": (Decimal(collected) * 100 / total).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                ),
                "high_cost_count": sum(b.benefit_kind == "high_cost" for b in benefits),
                "high_cost_amount": sum(
                    b.amount for b in benefits if b.benefit_kind == "high_cost"
                ),
                "funeral_count": sum(b.benefit_kind == "funeral" for b in benefits),
                "funeral_amount": sum(b.amount for b in benefits if b.benefit_kind == "funeral"),
                "childbirth_count": 0,
                "childbirth_amount": 0,
                "medical_expense_count": 0,
                "medical_expense_amount": 0,
                "total_count": len(benefits),
                "total_amount": sum(b.amount for b in benefits),
            }

            def as_text(figures: dict[str, Any]) -> dict[str, str]:
                return {k: str(v) for k, v in figures.items()}

            async def report_matches() -> dict[str, Any]:
                r = await eligibility.get(f"/api/v1/reports/monthly/{month}", headers=supervisor)
                assert r.status_code == 200, r.text
                got = {x["item"]: x["value"] for x in r.json()["lines"]}
                # until every fact published is projected; then every figure must be equal
                assert as_text(got) == as_text(want)
                return got

            await eventually(report_matches, timeout=120)
            assert want["members"] > 0
            assert want["assessed_current_total"] > 0

            r = await eligibility.get(f"/api/v1/reports/monthly/{month}/csv", headers=supervisor)
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(r.text)))
            assert {x["item"]: x["value"] for x in rows} == {k: str(v) for k, v in want.items()}
            r = await eligibility.get(f"/api/v1/reports/monthly/{month}", headers=clerk)
            assert r.status_code == 403  # statistics: supervisors and auditors

            # --- 保険基盤安定: the 軽減額 of each household's latest assessment, by level
            wanted = expected_reductions(latest.values())
            assert wanted["reduced_2_reduction"] > 0
            assert wanted["reduced_5_reduction"] > 0
            assert wanted["reduced_2_households_without_reduction"] > 0
            r = await eligibility.get(f"/api/v1/reports/levy-base/{fy}", headers=supervisor)
            assert r.status_code == 200, r.text
            got = {x["item"]: x["value"] for x in r.json()["lines"] if x["item"] in wanted}
            assert got == wanted
            r = await eligibility.get(f"/api/v1/reports/levy-base/{fy}/csv", headers=supervisor)
            assert r.status_code == 200
            rows = list(csv.DictReader(io.StringIO(r.text)))
            got_csv = {x["item"]: x["value"] for x in rows if x["item"] in wanted}
            assert got_csv == {k: str(v) for k, v in wanted.items()}


def expected_reductions(latest: Any) -> dict[str, int]:
    """The 保険基盤安定 軽減額 figures from the events alone: per 7/5/2割 level and component,
    均等割 and 平等割 summed over the households' latest assessments that carry them, the
    level's total, and the households whose assessment carries none."""
    want: dict[str, int] = {}
    for level in (7, 5, 2):
        held = [e for e in latest if e.statutory_reduction == level]
        total = 0
        for name in ("medical", "elderly_support", "long_term_care", "child_support"):
            for part in ("per_capita", "per_household"):
                value = sum(
                    getattr(c, f"{part}_reduction") or 0
                    for e in held
                    for c in e.components
                    if c.component == name
                )
                want[f"reduced_{level}_{name}_{part}_reduction"] = value
                total += value
        want[f"reduced_{level}_reduction"] = total
        want[f"reduced_{level}_households_without_reduction"] = sum(
            any(c.per_capita_reduction is None for c in e.components) for e in held
        )
    return want


async def _relayed(dsn: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        waiting = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    finally:
        await conn.close()
    return int(waiting) == 0


async def _open_members(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT addressee_number FROM qualification_periods WHERE open")
    finally:
        await conn.close()
    return [r[0] for r in rows]


async def _run_items(dsn: str, run_id: str) -> dict[str, list[str]]:
    """What the run issued, by member."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT addressee_number, kind FROM certificate_run_items WHERE run_id = $1",
            UUID(run_id),
        )
    finally:
        await conn.close()
    issued: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        issued[r[0]].append(r[1])
    return issued


async def _held_kinds(dsn: str, addressee: str) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT kind FROM certificates WHERE addressee_number = $1 AND collected_date IS NULL",
            addressee,
        )
    finally:
        await conn.close()
    return {r[0] for r in rows}
