"""滞納処分 (rules.md §4.1 ✅: 国保法79条の2, 地方自治法231条の3第3項, 地方税の滞納処分の例):
property investigations with their answers, seizures (差押) of deposits, wages (less the
exempt amount, ``wages``) and real estate (the debtor's share of co-owned land), release,
distribution demands (交付要求), and proceeds, which go to collection as a payment.
DLQ-202-270. A seizure and a distribution demand renew prescription (``prescription``); none
is made while a 徴収猶予 or 執行停止 is in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.errors import (
    DateInTheFuture,
    EnforcementBarred,
    InvestigationNotFound,
    SeizureInvalid,
    SeizureNotFound,
    SeizureNotInForce,
)
from kokuho.delinquency.domain.model import Case
from kokuho.delinquency.domain.negotiation import advance, require_open
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.domain.wages import seizable_wage

INVESTIGATION_KINDS = ("bank", "employer", "real_estate", "other")
SEIZURE_KINDS = ("deposit", "wage", "real_estate", "other")
BARRING = ("collection_deferral", "enforcement_suspension")


@dataclass(frozen=True)
class StartInvestigation:
    investigation_id: str
    kind: str
    target: str
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class AnswerInvestigation:
    investigation_id: str
    answer: str
    found_amount: int
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class WagePay:
    gross: int
    income_tax: int
    resident_tax: int
    social_insurance: int
    dependants: int


@dataclass(frozen=True)
class Seize:
    seizure_id: str
    kind: str
    description: str
    amount: int  # a deposit's balance, a property's valuation (ignored for wages)
    wage: WagePay | None
    debtor_share: tuple[int, int] | None  # real estate: numerator, denominator
    co_owners: tuple[tuple[str, int, int], ...]
    by: str
    on: date
    today: date
    rules: Rules


@dataclass(frozen=True)
class ReleaseSeizure:
    seizure_id: str
    reason: str
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class DemandDistribution:
    demand_id: str
    authority: str
    amount: int
    by: str
    on: date
    today: date


@dataclass(frozen=True)
class RecordProceeds:
    proceeds_id: str
    seizure_id: str
    amount: int
    on: date
    today: date


def _not_future(on: date, today: date) -> None:
    if on > today:
        raise DateInTheFuture(f"{on} is after today {today}")


def renew(case: Case, act: str, on: date) -> list[ev.Event]:
    return [
        ev.PrescriptionRenewed(a.fiscal_year, a.period, act, on)
        for a in case.arrears
        if a.outstanding > 0
    ]


def _investigate(case: Case, c: StartInvestigation) -> list[ev.Event]:
    require_open(case, "a property investigation")
    _not_future(c.on, c.today)
    if c.kind not in INVESTIGATION_KINDS:
        raise SeizureInvalid(f"an investigation is of {', '.join(INVESTIGATION_KINDS)}")
    started = ev.InvestigationStarted(c.investigation_id, c.kind, c.target, c.by, c.on)
    return [started, *advance(case, "investigation", c.on)]


def _answer(case: Case, c: AnswerInvestigation) -> list[ev.Event]:
    if c.investigation_id not in case.investigations:
        raise InvestigationNotFound(f"no investigation {c.investigation_id}")
    _not_future(c.on, c.today)
    return [ev.InvestigationAnswered(c.investigation_id, c.answer, c.found_amount, c.by, c.on)]


def _reach(c: Seize) -> int:
    """What the seizure reaches: the seizable wage a month, the debtor's share of a valuation."""
    if c.kind == "wage":
        if c.wage is None:
            raise SeizureInvalid("a wage seizure gives the month's pay and deductions")
        w = c.wage
        rule = c.rules.wage_exemption
        return seizable_wage(
            w.gross, w.income_tax, w.resident_tax, w.social_insurance, w.dependants, rule
        )
    if c.kind == "real_estate":
        if c.debtor_share is None:
            raise SeizureInvalid("a real-estate seizure gives the debtor's share")
        shares = [Fraction(*c.debtor_share), *(Fraction(n, d) for _, n, d in c.co_owners)]
        if any(s <= 0 for s in shares) or sum(shares) != 1:
            raise SeizureInvalid("the shares of the debtor and the co-owners add up to 1")
        return int(c.amount * shares[0])
    return c.amount


def _seize(case: Case, c: Seize) -> list[ev.Event]:
    require_open(case, "a seizure")
    _not_future(c.on, c.today)
    if c.kind not in SEIZURE_KINDS:
        raise SeizureInvalid(f"a seizure is of {', '.join(SEIZURE_KINDS)}")
    barred = [r.kind for r in case.reliefs_in_force(c.on) if r.kind in BARRING]
    if barred:
        raise EnforcementBarred(f"{', '.join(barred)} in force on {c.on}")
    seized = ev.PropertySeized(
        c.seizure_id, c.kind, _reach(c), c.description, c.co_owners, c.by, c.on
    )
    return [seized, *renew(case, "seizure", c.on), *advance(case, "seizure", c.on)]


def _release(case: Case, c: ReleaseSeizure) -> list[ev.Event]:
    seizure = case.seizure(c.seizure_id)
    if seizure is None:
        raise SeizureNotFound(f"no seizure {c.seizure_id}")
    if seizure.status != "in_force":
        raise SeizureNotInForce(f"seizure {c.seizure_id} is {seizure.status}")
    _not_future(c.on, c.today)
    released = ev.SeizureReleased(c.seizure_id, c.reason, c.by, c.on)
    return [released, *renew(case, "seizure_end", c.on)]


def _demand(case: Case, c: DemandDistribution) -> list[ev.Event]:
    require_open(case, "a distribution demand")
    _not_future(c.on, c.today)
    demanded = ev.DistributionDemanded(c.demand_id, c.authority, c.amount, c.by, c.on)
    return [demanded, *renew(case, "distribution_demand", c.on)]


def _proceeds(case: Case, c: RecordProceeds) -> list[ev.Event]:
    if case.seizure(c.seizure_id) is None:
        raise SeizureNotFound(f"no seizure {c.seizure_id}")
    _not_future(c.on, c.today)
    if c.amount <= 0:
        raise SeizureInvalid("proceeds are a positive amount")
    return [ev.ProceedsCollected(c.proceeds_id, c.seizure_id, c.amount, c.on)]


DECIDERS: dict[type[Any], Any] = {
    StartInvestigation: _investigate,
    AnswerInvestigation: _answer,
    Seize: _seize,
    ReleaseSeizure: _release,
    DemandDistribution: _demand,
    RecordProceeds: _proceeds,
}
