"""The reports' projection on PostgreSQL (ADR 0018): assessment's, collection's and benefits'
public events kept as report facts (``report_*`` tables, in the inbox transaction), and the
facts read back for a period. Nothing here reads another service's database."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import asyncpg

from kokuho.eligibility.domain.reports import Assessment, BenefitPaid, Collected, Period
from kokuho.events.contracts import EventContract
from kokuho.events.contracts.assessment import PremiumAssessed
from kokuho.events.contracts.benefits import BenefitPaymentOrdered
from kokuho.events.contracts.collection import (
    Applied,
    Appropriated,
    PaymentReceived,
    PaymentReversed,
)


async def _collected(
    conn: asyncpg.Connection,
    source: str,
    source_id: str,
    household: str,
    pieces: list[Applied],
    on: date,
    sign: int,
) -> None:
    by_instalment: dict[tuple[int, int], int] = defaultdict(int)
    for piece in pieces:
        by_instalment[(piece.fiscal_year, piece.period)] += piece.amount
    await conn.executemany(
        "INSERT INTO report_collected (source, source_id, fiscal_year, period,"
        " nhi_household_number, amount, counted_on) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT DO NOTHING",
        [
            (source, source_id, fy, period, household, sign * amount, on)
            for (fy, period), amount in by_instalment.items()
        ],
    )


def _reductions(event: PremiumAssessed) -> str | None:
    """The 軽減額 per component as JSON, or None when the event does not carry them all."""
    pairs = {
        c.component: (c.per_capita_reduction, c.per_household_reduction) for c in event.components
    }
    if any(a is None or b is None for a, b in pairs.values()):
        return None
    return json.dumps({name: [a, b] for name, (a, b) in pairs.items()})


async def project(conn: asyncpg.Connection, event: EventContract) -> bool:
    """Keep the event's facts; False when the event is not one the reports use."""
    if isinstance(event, PremiumAssessed):
        await conn.execute(
            "INSERT INTO report_assessments (nhi_household_number, fiscal_year, revision,"
            " assessed_on, annual_amount, previous_annual_amount, statutory_reduction,"
            " insured_months, components, capped, levies_after_reduction, reductions)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb)"
            " ON CONFLICT DO NOTHING",
            event.nhi_household_number,
            event.fiscal_year,
            event.revision,
            event.assessed_on,
            event.annual_amount,
            event.previous_annual_amount,
            event.statutory_reduction,
            event.insured_months,
            json.dumps({c.component: c.amount for c in event.components}),
            [c.component for c in event.components if c.capped],
            sum(c.per_capita_levy + c.per_household_levy for c in event.components),
            _reductions(event),
        )
    elif isinstance(event, PaymentReceived):
        await _collected(
            conn, "payment", event.payment_id, event.nhi_household_number, event.applied,
            event.paid_on, 1,
        )  # fmt: skip
    elif isinstance(event, Appropriated):
        await _collected(
            conn, "appropriation", event.appropriation_id, event.nhi_household_number,
            event.principal, event.effective_on, 1,
        )  # fmt: skip
    elif isinstance(event, PaymentReversed):
        await _collected(
            conn, "reversal", event.payment_id, event.nhi_household_number, event.principal,
            event.effective_on, -1,
        )  # fmt: skip
    elif isinstance(event, BenefitPaymentOrdered):
        await conn.execute(
            "INSERT INTO report_benefits (payment_id, benefit_kind, nhi_household_number,"
            " amount, payment_date) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            event.payment_id,
            event.benefit_kind,
            event.nhi_household_number,
            event.amount,
            event.payment_date,
        )
    else:
        return False
    return True


class PostgresReportFacts:
    """The facts a report needs, read on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def periods(self, until: date) -> list[Period]:
        rows = await self._conn.fetch(
            "SELECT addressee_number, nhi_household_number, birth_date, acquisition_date,"
            " loss_date FROM qualification_periods WHERE acquisition_date <= $1"
            " AND (loss_date IS NULL OR loss_date > $1 - interval '1 year 1 month')",
            until,
        )
        return [Period(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def assessments(self, until: date) -> list[Assessment]:
        rows = await self._conn.fetch(
            "SELECT * FROM report_assessments WHERE assessed_on <= $1", until
        )
        return [
            Assessment(
                r["nhi_household_number"],
                r["fiscal_year"],
                r["revision"],
                r["assessed_on"],
                r["annual_amount"],
                r["previous_annual_amount"],
                r["statutory_reduction"],
                r["insured_months"],
                json.loads(r["components"]),
                frozenset(r["capped"]),
                r["levies_after_reduction"],
                None
                if r["reductions"] is None
                else {k: (v[0], v[1]) for k, v in json.loads(r["reductions"]).items()},
            )
            for r in rows
        ]

    async def collected(self, start: date, until: date) -> list[Collected]:
        rows = await self._conn.fetch(
            "SELECT nhi_household_number, fiscal_year, amount, counted_on FROM report_collected"
            " WHERE counted_on BETWEEN $1 AND $2",
            start,
            until,
        )
        return [Collected(r[0], r[1], r[2], r[3]) for r in rows]

    async def benefits(self, start: date, until: date) -> list[BenefitPaid]:
        rows = await self._conn.fetch(
            "SELECT benefit_kind, amount, payment_date FROM report_benefits"
            " WHERE payment_date BETWEEN $1 AND $2",
            start,
            until,
        )
        return [BenefitPaid(r[0], r[1], r[2]) for r in rows]
