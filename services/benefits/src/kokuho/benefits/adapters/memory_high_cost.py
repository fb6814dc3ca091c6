"""In-memory twins of the claims, carry-over, payee, decision and monthly-run repositories and
of the monthly run's store, for unit tests (the same contract tests as PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from kokuho.benefits.adapters.monthly_run import months_back
from kokuho.benefits.app.monthly_run import ChunkPlan, HouseholdClaims, RunSummary
from kokuho.benefits.app.ports import CarryOver, ClaimImport, MonthlyRunStatus, PayeeAccount
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.claims import Claim
from kokuho.benefits.domain.income_category import income_year_for

if TYPE_CHECKING:
    from kokuho.benefits.adapters.memory import InMemoryBenefitsUnit


class InMemoryClaims:
    def __init__(self) -> None:
        self.imports: dict[str, ClaimImport] = {}
        self.rows: dict[str, Claim] = {}
        self.adjustments: dict[str, list[dict[str, object]]] = {}

    async def file_seen(self, sha256: str) -> bool:
        return sha256 in self.imports

    async def known(self, claim_numbers: Sequence[str]) -> set[str]:
        return {n for n in claim_numbers if n in self.rows}

    async def save_import(self, received: ClaimImport) -> None:
        self.imports[received.sha256] = received
        for claim in received.file.claims:
            self.rows[claim.claim_number] = replace(claim, line=0)
        for a in received.file.adjustments:
            before = self.rows[a.claim_number]
            self.adjustments.setdefault(a.claim_number, []).append(
                {
                    "kind": a.kind,
                    "reason_code": a.reason_code,
                    "medical_cost_before": before.medical_cost,
                    "self_pay_before": before.self_pay,
                    "medical_cost": a.medical_cost,
                    "self_pay": a.self_pay,
                }
            )
            self.rows[a.claim_number] = replace(
                before, medical_cost=a.medical_cost, self_pay=a.self_pay
            )

    async def of_household(self, nhi_household_number: str, treatment_month: date) -> list[Claim]:
        return sorted(
            (
                c
                for c in self.rows.values()
                if c.nhi_household_number == nhi_household_number
                and c.treatment_month == treatment_month
            ),
            key=lambda c: c.claim_number,
        )

    async def adjustments_of(self, claim_number: str) -> list[dict[str, object]]:
        return list(self.adjustments.get(claim_number, []))

    async def of_person_from(self, addressee_number: str, from_month: date) -> list[Claim]:
        return sorted(
            (
                c
                for c in self.rows.values()
                if c.addressee_number == addressee_number and c.treatment_month >= from_month
            ),
            key=lambda c: (c.treatment_month, c.claim_number),
        )


class InMemoryCarryOvers:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, date, str], CarryOver] = {}

    async def put(self, c: CarryOver) -> None:
        self.rows[(c.nhi_household_number, c.target_month, c.kind)] = c

    async def get(self, nhi_household_number: str, target_month: date) -> list[CarryOver]:
        return [
            c
            for k, c in sorted(self.rows.items(), key=lambda kv: kv[0][2])
            if k[:2] == (nhi_household_number, target_month)
        ]


class InMemoryPayees:
    def __init__(self) -> None:
        self.rows: dict[str, PayeeAccount] = {}

    async def put(self, p: PayeeAccount) -> None:
        self.rows[p.nhi_household_number] = p

    async def get(self, nhi_household_number: str) -> PayeeAccount | None:
        return self.rows.get(nhi_household_number)


class InMemoryHighCostDecisions:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, date], hc.HighCostDecision] = {}
        self.payments: list[hc.PaymentOrdered] = []

    async def get(
        self, nhi_household_number: str, treatment_month: date
    ) -> hc.HighCostDecision | None:
        return self.rows.get((nhi_household_number, treatment_month))

    async def unpaid(self, nhi_household_number: str) -> list[hc.HighCostDecision]:
        return [
            d
            for (n, _), d in sorted(self.rows.items())
            if n == nhi_household_number and d.benefit > d.paid
        ]

    async def put(self, decision: hc.HighCostDecision) -> None:
        self.rows[(decision.nhi_household_number, decision.treatment_month)] = decision

    async def add_payment(self, payment: hc.PaymentOrdered) -> None:
        self.payments.append(payment)

    async def payments_of(self, nhi_household_number: str) -> list[hc.PaymentOrdered]:
        return sorted(
            (p for p in self.payments if p.nhi_household_number == nhi_household_number),
            key=lambda p: (p.payment_date, str(p.payment_id)),
        )


class InMemoryMonthlyRuns:
    def __init__(self) -> None:
        self.rows: list[MonthlyRunStatus] = []

    def open(self, treatment_month: date) -> MonthlyRunStatus | None:
        return next(
            (
                r
                for r in self.rows
                if r.treatment_month == treatment_month and r.status in ("requested", "running")
            ),
            None,
        )

    async def request(
        self, run_id: UUID, treatment_month: date, payment_date: date, actor: str
    ) -> MonthlyRunStatus:
        found = self.open(treatment_month)
        if found is None:
            found = MonthlyRunStatus(
                run_id, treatment_month, "requested", payment_date, actor, "", {}, ()
            )
            self.rows.append(found)
        return found

    async def latest(self, treatment_month: date) -> MonthlyRunStatus | None:
        mine = [r for r in self.rows if r.treatment_month == treatment_month]
        return mine[-1] if mine else None

    def replace(self, status: MonthlyRunStatus) -> None:
        self.rows = [status if r.run_id == status.run_id else r for r in self.rows]


class InMemoryMonthlyRunStore:
    """The run's store over an in-memory unit's repositories."""

    def __init__(self, unit: InMemoryBenefitsUnit) -> None:
        self.unit = unit

    async def start_or_resume(
        self, treatment_month: date, payment_date: date, actor: str
    ) -> tuple[RunSummary, str, date]:
        runs = self.unit.monthly_runs
        found = runs.open(treatment_month)
        if found is None:
            found = await runs.request(uuid4(), treatment_month, payment_date, actor)
        summary = RunSummary(
            found.run_id,
            treatment_month,
            resumed=found.status == "running",
            held=[dict(h) for h in found.held],
            **{k: v for k, v in found.counts.items()},
        )
        runs.replace(replace(found, status="running"))
        return summary, found.checkpoint, found.payment_date

    async def load_chunk(
        self, treatment_month: date, after: str, size: int
    ) -> list[HouseholdClaims]:
        u = self.unit
        numbers = sorted(
            {
                c.nhi_household_number
                for c in u.claims.rows.values()
                if c.treatment_month == treatment_month and c.nhi_household_number > after
            }
        )[:size]
        year, start = income_year_for(treatment_month), months_back(treatment_month, 12)
        out = []
        for n in numbers:
            rate = u.copayment_rates.rows.get((n, year))
            carried = await u.carry_overs.get(n, treatment_month)
            payee = u.payees.rows.get(n)
            own = sum(
                1
                for (m, month), d in u.high_cost.rows.items()
                if m == n and start <= month < treatment_month and d.outcome.counts_for_many_times
            )
            out.append(
                HouseholdClaims(
                    n,
                    tuple(await u.claims.of_household(n, treatment_month)),
                    (rate.under_70_category, rate.elderly_category) if rate else None,
                    carried[-1].high_cost_months if carried else 0,
                    own,
                    u.high_cost.rows.get((n, treatment_month)),
                    hc.Payee(payee.payee_addressee_number) if payee else None,
                    tuple(await u.withholdings.periods(n)),
                )
            )
        return out

    async def write_chunk(self, summary: RunSummary, plan: ChunkPlan, checkpoint: str) -> None:
        u = self.unit
        await u.events.append_batch(plan.appends)
        for d in plan.decisions:
            await u.high_cost.put(d)
        for p in plan.payments:
            await u.high_cost.add_payment(p)
        for w in plan.withheld:
            await u.withholdings.add_payment(w)
        found = next(r for r in u.monthly_runs.rows if r.run_id == summary.run_id)
        u.monthly_runs.replace(
            replace(
                found,
                checkpoint=checkpoint,
                counts=summary.counts(),
                held=tuple(summary.held),
            )
        )

    async def finish(self, run_id: UUID) -> None:
        runs = self.unit.monthly_runs
        found = next(r for r in runs.rows if r.run_id == run_id)
        runs.replace(replace(found, status="finished"))
