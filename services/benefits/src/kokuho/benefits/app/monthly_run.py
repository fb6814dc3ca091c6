"""The monthly run of a treatment month: every household with claims of the month, in chunks,
through the pure 高額療養費 calculation (used as is) and the decision aggregate; each chunk's
events, decisions, payments and the checkpoint are written in one transaction by the store, so
a stopped run resumes after its last chunk and a re-run of the month changes nothing (the
aggregate decides nothing when a household's inputs did not change).

A household is held (named in the run's ``held`` list, nothing decided) when it has no 所得区分
for the income year of the month, or its claims contradict themselves.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Protocol
from uuid import UUID

from kokuho.benefits.app.high_cost_events import to_contracts
from kokuho.benefits.domain import high_cost_decision as hc
from kokuho.benefits.domain.claims import Claim
from kokuho.benefits.domain.errors import BenefitsError
from kokuho.benefits.domain.high_cost.calculation import calculate
from kokuho.benefits.domain.high_cost.household_month import Bill, HouseholdMonth, Member
from kokuho.benefits.domain.high_cost.limits import (
    ElderlyCategory,
    LimitSchedule,
    Under70Category,
)
from kokuho.benefits.domain.withholding import WithheldPayment, Withholding, is_withheld
from kokuho.events.ports import EventContext, StreamAppend

#: chunks computed ahead of the one being written
AHEAD = 2
#: held households named in the run's status: the first 1,000 (how many were held without a
#: decision is always households − decided − unchanged − no_benefit)
HELD_LISTED = 1000


@dataclass(frozen=True)
class HouseholdClaims:
    """What the run knows of one household for the month."""

    nhi_household_number: str
    claims: tuple[Claim, ...]
    #: (under-70, 70–74) 所得区分 for the month's income year; None: none decided
    categories: tuple[Under70Category, ElderlyCategory | None] | None
    carried_months: int  # the federation's carry-over count for this month (S2)
    own_prior_months: int  # our own 高額該当 months in the 12 before
    decision: hc.HighCostDecision | None
    payee: hc.Payee | None
    #: delinquency's 給付の一時差止 periods of the household (rules.md §4.6)
    withholdings: tuple[Withholding, ...] = ()


@dataclass
class ChunkPlan:
    #: (household, the stream's version before, the new events)
    events: list[tuple[str, int, list[hc.Event]]] = field(default_factory=list)
    appends: list[StreamAppend] = field(default_factory=list)
    decisions: list[hc.HighCostDecision] = field(default_factory=list)
    payments: list[hc.PaymentOrdered] = field(default_factory=list)
    #: payments decided while the household is withheld (ordered on release)
    withheld: list[WithheldPayment] = field(default_factory=list)
    held: list[dict[str, str]] = field(default_factory=list)
    decided: int = 0
    unchanged: int = 0
    no_benefit: int = 0
    prompted: int = 0


@dataclass
class RunSummary:
    run_id: UUID
    treatment_month: date
    resumed: bool
    households: int = 0
    decided: int = 0
    unchanged: int = 0
    no_benefit: int = 0
    prompted: int = 0
    payments: int = 0
    paid_amount: int = 0
    held: list[dict[str, str]] = field(default_factory=list)

    def add(self, households: int, plan: ChunkPlan) -> None:
        self.households += households
        self.decided += plan.decided
        self.unchanged += plan.unchanged
        self.no_benefit += plan.no_benefit
        self.prompted += plan.prompted
        self.payments += len(plan.payments)
        self.paid_amount += sum(p.amount for p in plan.payments)
        self.held += plan.held[: max(0, HELD_LISTED - len(self.held))]

    def counts(self) -> dict[str, int]:
        return {
            "households": self.households,
            "decided": self.decided,
            "unchanged": self.unchanged,
            "no_benefit": self.no_benefit,
            "prompted": self.prompted,
            "payments": self.payments,
            "paid_amount": self.paid_amount,
        }


class MonthlyRunStore(Protocol):
    """Where the run reads its households and writes each chunk (PostgreSQL, or in memory)."""

    async def start_or_resume(
        self, treatment_month: date, payment_date: date, actor: str
    ) -> tuple[RunSummary, str, date]:
        """The month's open run (requested or running) and its checkpoint and payment date,
        or a new one."""
        ...

    async def load_chunk(
        self, treatment_month: date, after: str, size: int
    ) -> list[HouseholdClaims]: ...

    async def write_chunk(self, summary: RunSummary, plan: ChunkPlan, checkpoint: str) -> None:
        """Events, decisions, payments and the run's counts and checkpoint, all or nothing."""
        ...

    async def finish(self, run_id: UUID) -> None: ...


def bill_of(claim: Claim) -> Bill:
    return Bill(
        claim.claim_number,
        claim.addressee_number,
        claim.provider,
        claim.setting,
        claim.kind,
        claim.medical_cost,
        claim.self_pay,
        claim.prescriber,
        claim.prescriber_kind or claim.kind,
    )


def household_month(h: HouseholdClaims, month: date) -> HouseholdMonth:
    members: dict[str, Member] = {}
    for c in h.claims:
        members.setdefault(c.addressee_number, Member(c.addressee_number, c.age_band))
        if c.turning_75:
            members[c.addressee_number] = Member(c.addressee_number, c.age_band, True)
    under_70, elderly = h.categories or (None, None)
    return HouseholdMonth(
        treatment_month=month,
        members=tuple(members[p] for p in sorted(members)),
        bills=tuple(bill_of(c) for c in sorted(h.claims, key=lambda c: c.claim_number)),
        under_70_category=under_70,
        elderly_category=elderly,
        prior_high_cost_months=min(12, h.carried_months + h.own_prior_months),
    )


def digest(month: HouseholdMonth) -> str:
    """What a decision was made from (bills, members, categories, the 多数回 count): a re-run
    with the same digest decides nothing."""
    parts = [
        f"{month.treatment_month}|{month.under_70_category}|{month.elderly_category}"
        f"|{month.prior_high_cost_months}|{month.moved_within_prefecture}"
        f"|{month.annual_borne_before}",
        *(
            f"{m.person}|{m.age_band}|{m.turning_75}|{m.outpatient_borne_before}"
            for m in month.members
        ),
        *(
            f"{b.bill_id}|{b.person}|{b.provider}|{b.setting}|{b.kind}|{b.medical_cost}"
            f"|{b.self_pay}|{b.prescriber}|{b.prescriber_kind}"
            for b in month.bills
        ),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RunOptions:
    treatment_month: date
    actor: str
    today: date
    payment_date: date
    topic: str
    run_id: UUID | None = None


def plan_chunk(
    households: Sequence[HouseholdClaims], limits: LimitSchedule, options: RunOptions
) -> ChunkPlan:
    """The decisions of a chunk (pure: may run in another process; the contracts are made by
    :func:`with_appends`)."""
    plan = ChunkPlan()
    for h in households:
        if h.categories is None:
            plan.held.append({"household": h.nhi_household_number, "reason": "no 所得区分"})
            continue
        month = household_month(h, options.treatment_month)
        try:
            result = calculate(month, limits)
        except BenefitsError as exc:
            plan.held.append({"household": h.nhi_household_number, "reason": str(exc)})
            continue
        command = hc.Settle(
            h.nhi_household_number,
            hc.Outcome.of(result),
            digest(month),
            month.under_70_category,
            month.elderly_category,
            len(h.claims),
            h.payee,
            options.actor,
            options.today,
            options.payment_date,
            withheld=is_withheld(h.withholdings, options.today),
        )
        events = hc.decide_settle(h.decision, command)
        if not events:
            if h.decision is None:
                plan.no_benefit += 1
            else:
                plan.unchanged += 1
            continue
        state = hc.replay(events, h.decision)
        assert state is not None
        plan.decided += 1
        plan.decisions.append(state)
        plan.payments += [e for e in events if isinstance(e, hc.PaymentOrdered)]
        plan.prompted += sum(isinstance(e, hc.Prompted) for e in events)
        plan.withheld += [withheld_payment(e) for e in events if isinstance(e, hc.PaymentWithheld)]
        if state.unpaid < 0:
            plan.held.append(
                {"household": h.nhi_household_number, "reason": f"overpaid {-state.unpaid}円"}
            )
        plan.events.append(
            (h.nhi_household_number, h.decision.version if h.decision else 0, events)
        )
    return plan


def withheld_payment(e: hc.PaymentWithheld) -> WithheldPayment:
    return WithheldPayment(
        hc.stream_id(e.nhi_household_number, e.treatment_month),
        "high_cost",
        e.nhi_household_number,
        e.decision_id,
        e.treatment_month,
        e.amount,
        e.withheld_on,
    )


def with_appends(plan: ChunkPlan, options: RunOptions) -> ChunkPlan:
    """The chunk's events as the event store's appends (public contracts on the topic)."""
    context = EventContext(correlation_id=options.run_id) if options.run_id else EventContext()
    plan.appends = [
        StreamAppend(
            hc.stream_id(household, options.treatment_month),
            version,
            to_contracts(events),
            topic=options.topic,
            partition_key=household,
            context=context,
        )
        for household, version, events in plan.events
    ]
    return plan


async def run_month(
    store: MonthlyRunStore,
    limits: LimitSchedule,
    options: RunOptions,
    *,
    chunk_size: int = 2000,
    progress: Callable[[RunSummary], None] | None = None,
    stop_after_chunks: int | None = None,
    executor: Executor | None = None,
) -> RunSummary:
    """Run (or resume) the month; ``stop_after_chunks`` stops early as a crash would.

    Chunks are computed in ``executor`` (default: a thread; a process pool uses another core)
    while the next ones load and the previous one is written, in checkpoint order."""
    limits.for_month(options.treatment_month)  # no limit table: refused before anything
    summary, checkpoint, payment_date = await store.start_or_resume(
        options.treatment_month, options.payment_date, options.actor
    )
    options = replace(options, payment_date=payment_date, run_id=summary.run_id)
    loop = asyncio.get_running_loop()
    pending: deque[tuple[list[HouseholdClaims], asyncio.Future[ChunkPlan]]] = deque()
    chunks, after, exhausted = 0, checkpoint, False
    while True:
        while not exhausted and len(pending) < AHEAD:
            households = await store.load_chunk(options.treatment_month, after, chunk_size)
            if not households:
                exhausted = True
                break
            after = households[-1].nhi_household_number
            work = partial(plan_chunk, households, limits, options)
            pending.append((households, loop.run_in_executor(executor, work)))
        if not pending:
            break
        households, future = pending.popleft()
        plan = with_appends(await future, options)
        summary.add(len(households), plan)
        await store.write_chunk(summary, plan, households[-1].nhi_household_number)
        if progress:
            progress(summary)
        chunks += 1
        if stop_after_chunks is not None and chunks >= stop_after_chunks:
            await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
            return summary
    await store.finish(summary.run_id)
    return summary
