"""The annual run's output on a varied synthetic city, three rounds, as digests (ADR 0108): the
read model's COPY rows and every ``PremiumAssessed`` a worker process hands back, byte for byte
as the writing process validates and publishes it.

Round 1 assesses every household (特別徴収 pensioners, 普通徴収 requests, 減免, deemed
householders, 特定世帯, 産前産後, 非自発的失業者, 旧被扶養者, 介護保険適用除外, undeclared and
missing incomes, members joining and leaving in the year); round 2 corrects later in the year
after a third of the incomes and some members changed; round 3 re-runs round 2's facts
(nothing changes). Everything is seeded, the ids drawn in order: the same code gives the same
bytes. The test compares the digests with ``data/annual_run_golden.json``,
written by the code before the engine's fast paths (ADR 0108); a legal change that moves a
figure regenerates it on purpose::

    uv run python services/assessment/tests/unit/test_annual_run_golden.py --write
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from pydantic_core import to_json

from kokuho.assessment.adapters.engine_workers import EncodedPlan, encoded_plan
from kokuho.assessment.adapters.rows import ASSESSMENT_COLUMNS, RawChunk
from kokuho.assessment.app.annual_run import plan_chunk
from kokuho.assessment.bootstrap import CityRulebook
from kokuho.assessment.domain.income_file import AMOUNTS
from kokuho.assessment.domain.instalments import due_dates
from kokuho.events.contracts.assessment import EVENTS_TOPIC, PremiumAssessed
from kokuho.events.ports import EventContext

GOLDEN = Path(__file__).parent / "data" / "annual_run_golden.json"
FISCAL_YEAR = 2026
HOUSEHOLDS = 3000
CHUNK = 500

RATIOS = ("nhi_household_number", "ratio_percent")
REQUESTED = ("nhi_household_number", "method")
HEADS = (
    "nhi_household_number",
    "householder_addressee_number",
    "deemed_householder",
    "specified_household_since",
)
MEMBERS = (
    "nhi_household_number",
    "addressee_number",
    "birth_date",
    "insured",
    "specified_same_household",
    "acquisition_date",
    "loss_date",
    "former_dependant_since",
    "involuntary_separation_date",
    "childbirth_date",
    "childbirth_multiple",
    "care_exclusions",
)
INCOMES = (
    "addressee_number",
    "income_year",
    "birth_date",
    "declared",
    *AMOUNTS,
    "resident_tax_status",
    "taxable_income",
    "other_revenue",
)
PENSIONS = (
    "addressee_number",
    "annual_amount",
    "ltc_special_collection",
    "ltc_premium",
    "previous_february_deduction",
)


def _day(rng: random.Random, start: date, days: int) -> date:
    return start + timedelta(days=rng.randrange(days))


def _member(rng: random.Random, number: str, addressee: str, k: int) -> tuple[Any, ...]:
    fy = FISCAL_YEAR
    april = date(fy, 4, 1)
    age = rng.randint(18, 80) if k < 2 else rng.randint(0, 17)
    birth = date(fy - age, rng.randint(1, 12), rng.randint(1, 28))
    insured, specified = True, False
    acquisition = loss = former = separation = childbirth = None
    exclusions: list[dict[str, str | None]] = []
    draw = rng.random()
    if draw < 0.06:
        acquisition = _day(rng, april, 365)
    elif draw < 0.10:
        loss = _day(rng, april + timedelta(days=1), 364)
    elif draw < 0.12 and k > 0:  # 特定同一世帯所属者: moved to 後期高齢者医療
        insured, specified, loss = False, True, _day(rng, date(fy - 3, 4, 1), 1000)
    if rng.random() < 0.04:
        former = _day(rng, date(fy - 2, 4, 1), 900)
    if rng.random() < 0.04 and age < 64:
        separation = _day(rng, date(fy - 2, 1, 1), 800)
    if rng.random() < 0.03 and 18 <= age <= 45:
        childbirth = _day(rng, date(fy - 1, 10, 1), 500)
    if rng.random() < 0.03 and 38 <= age <= 66:
        start = _day(rng, date(fy - 1, 1, 1), 700)
        end = None if rng.random() < 0.5 else start + timedelta(days=rng.randint(20, 300))
        exclusions.append(
            {"start": start.isoformat(), "end": None if end is None else end.isoformat()}
        )
    return (
        number,
        addressee,
        birth,
        insured,
        specified,
        acquisition,
        loss,
        former,
        separation,
        childbirth,
        childbirth is not None and rng.random() < 0.2,
        json.dumps(exclusions),
    )


def _income(rng: random.Random, addressee: str, birth: date) -> tuple[Any, ...]:
    amounts = dict.fromkeys(AMOUNTS, 0)
    kind = rng.random()
    if FISCAL_YEAR - birth.year >= 16:
        if kind < 0.45:
            revenue = rng.choice((0, 550_000, 551_000, rng.randint(0, 12_000_000)))
            amounts["salary_revenue"] = revenue
            amounts["salary_income"] = max(0, revenue - 550_000 - revenue // 5)
        elif kind < 0.75:
            revenue = rng.choice((600_000, 1_250_000, rng.randint(0, 4_000_000)))
            amounts["pension_revenue"] = revenue
            amounts["pension_income"] = max(0, revenue - 1_100_000)
        elif kind < 0.9:
            amounts["other_income"] = rng.choice((430_000, rng.randint(0, 40_000_000)))
        if rng.random() < 0.05:
            amounts["family_employee_deduction"] = rng.randint(0, 860_000)
        if rng.random() < 0.03:
            amounts["transfer_special_deduction"] = rng.randint(0, 3_000_000)
        if rng.random() < 0.05:
            amounts["fixed_asset_tax"] = rng.randint(0, 300_000)
    return (
        addressee,
        FISCAL_YEAR - 1,
        birth,
        rng.random() > 0.03,
        *(amounts[a] for a in AMOUNTS),
        "unknown",
        None,
        None,
    )


def city(households: int = HOUSEHOLDS, seed: int = 108) -> dict[str, list[tuple[Any, ...]]]:
    """The varied city's rows, by table, as ``_load_chunk`` reads them (in household order)."""
    rng = random.Random(seed)
    tables: dict[str, list[tuple[Any, ...]]] = {
        t: [] for t in ("heads", "members", "incomes", "ratios", "pensions", "requested")
    }
    for i in range(households):
        number = f"5{i:09d}"
        size = rng.choice((1, 1, 1, 2, 2, 3, 4, 5))
        members = [_member(rng, number, f"6{i:07d}{k:02d}", k) for k in range(size)]
        head = members[0][1]
        if rng.random() < 0.04:  # 擬制世帯主: the householder is not insured
            head = f"7{i:07d}00"
            birth = date(FISCAL_YEAR - rng.randint(40, 90), rng.randint(1, 12), 1)
            if rng.random() < 0.8:
                tables["incomes"].append(_income(rng, head, birth))
        since = None
        if size == 1 and rng.random() < 0.05:
            since = _day(rng, date(FISCAL_YEAR - 9, 1, 1), 3300)
        tables["heads"].append((number, head, head != members[0][1], since))
        tables["members"] += members
        for m in members:
            if rng.random() > 0.02:
                tables["incomes"].append(_income(rng, m[1], m[2]))
        if rng.random() < 0.15:
            amount = rng.choice((170_000, 2_400_000, rng.randint(0, 4_000_000)))
            tables["pensions"].append((head, amount, rng.random() < 0.9, 90_000, 12_000))
        if rng.random() < 0.03:
            tables["requested"].append((number, rng.choice(("ordinary", "special"))))
        if rng.random() < 0.05:
            tables["ratios"].append((number, rng.choice((10, 30, 50, 100))))
    return tables


def corrected(tables: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Round 2's facts: a third of the incomes up, some members lost in the year."""
    other = INCOMES.index("other_income")
    incomes = [
        (*r[:other], r[other] + 1_500_000, *r[other + 1 :]) if r[0][-1] in "147" else r
        for r in tables["incomes"]
    ]
    loss = MEMBERS.index("loss_date")
    members = [
        (*r[:loss], date(FISCAL_YEAR, 8, 20), *r[loss + 1 :])
        if r[1][-3] in "37" and r[loss] is None
        else r
        for r in tables["members"]
    ]
    return {**tables, "incomes": incomes, "members": members}


def _chunks(
    tables: dict[str, list[tuple[Any, ...]]], previous: dict[str, tuple[Any, ...]]
) -> Iterator[RawChunk]:
    heads = tables["heads"]
    for start in range(0, len(heads), CHUNK):
        part = heads[start : start + CHUNK]
        numbers = {h[0] for h in part}
        people = {m[1] for m in tables["members"] if m[0] in numbers} | {h[1] for h in part}
        yield RawChunk(
            (HEADS, part),
            (MEMBERS, [m for m in tables["members"] if m[0] in numbers]),
            (INCOMES, [r for r in tables["incomes"] if r[0] in people]),
            (ASSESSMENT_COLUMNS, [previous[n] for n in sorted(numbers) if n in previous]),
            (RATIOS, [r for r in tables["ratios"] if r[0] in numbers]),
            (PENSIONS, [r for r in tables["pensions"] if r[0] in people]),
            (REQUESTED, [r for r in tables["requested"] if r[0] in numbers]),
        )


def _run(
    tables: dict[str, list[tuple[Any, ...]]],
    previous: dict[str, tuple[Any, ...]],
    today: date,
    first_id: int,
) -> tuple[list[EncodedPlan], dict[str, tuple[Any, ...]]]:
    rulebook = CityRulebook("hiroshima", None)
    params = rulebook(FISCAL_YEAR)
    counter = iter(range(first_id, first_id + 10**7))

    def ids(count: int) -> Iterator[uuid.UUID]:
        return iter([uuid.UUID(int=next(counter)) for _ in range(count)])

    plan = partial(
        plan_chunk,
        params=params,
        dues=due_dates(FISCAL_YEAR, params.instalments, rulebook.is_holiday),
        today=today,
        actor="system:golden",
        topic=EVENTS_TOPIC,
        context=EventContext(),
        new_ids=ids,
        validated=False,
    )
    plans = [encoded_plan(plan, chunk) for chunk in _chunks(tables, previous)]
    stored = dict(previous)
    for p in plans:
        for row in p.rows:
            stored[row[0]] = row
    return plans, stored


def _digest(plans: list[EncodedPlan]) -> dict[str, Any]:
    rows = hashlib.sha256()
    events = hashlib.sha256()
    for p in plans:
        for row in p.rows:
            rows.update(to_json(row) + b"\n")
        for household, year, revision, raw in p.events:
            # as validated by the writing process, i.e. as published: the handoff's own
            # layout (field order) is free (ADR 0114)
            published = to_json(PremiumAssessed.model_validate_json(raw))
            events.update(f"{household} {year} {revision} ".encode() + published + b"\n")
    return {
        "assessed": sum(len(p.rows) for p in plans),
        "unchanged": sum(p.unchanged for p in plans),
        "refused": sum(len(p.refused) for p in plans),
        "refusals": hashlib.sha256(to_json([p.refused for p in plans])).hexdigest(),
        "totals": dict(sum((p.totals for p in plans), start=plans[0].totals.__class__())),
        "reductions": dict(sum((p.reductions for p in plans), start=plans[0].totals.__class__())),
        "rows": rows.hexdigest(),
        "events": events.hexdigest(),
    }


def rounds(households: int = HOUSEHOLDS) -> list[dict[str, Any]]:
    """The three rounds' digests."""
    tables = city(households)
    first, stored = _run(tables, {}, date(FISCAL_YEAR, 6, 1), 1)
    later = corrected(tables)
    second, stored = _run(later, stored, date(FISCAL_YEAR, 9, 15), 10**6)
    third, _ = _run(later, stored, date(FISCAL_YEAR, 10, 1), 2 * 10**6)
    return [_digest(first), _digest(second), _digest(third)]


def test_the_annual_run_writes_the_golden_rows_and_events() -> None:
    expected = json.loads(GOLDEN.read_text("utf-8"))
    got = rounds()
    # the city is varied enough to mean something: refusals, unchanged, every reduction level
    assert [r["assessed"] > 0 for r in got] == [True, True, False]
    assert got[1]["unchanged"] > 0
    assert got[2]["unchanged"] > 0
    assert got[0]["refused"] > 0
    assert set(got[0]["reductions"]) == {"0", "2", "5", "7"}
    for number, (mine, golden) in enumerate(zip(got, expected, strict=True), 1):
        assert mine == golden, f"round {number} differs from {GOLDEN.name}"


if __name__ == "__main__":
    figures = rounds(int(sys.argv[2]) if len(sys.argv) > 2 else HOUSEHOLDS)
    text = json.dumps(figures, indent=2, ensure_ascii=False) + "\n"
    if "--write" in sys.argv:
        GOLDEN.write_text(text, "utf-8")
    print(text)
