"""折衝記録 (DLQ-97-110) and promises (約束, DLQ-349-368): who talked to whom, when, by which
channel, with what outcome (a call by the tax notification centre is one, step ⑱), and what was
promised. A payment promise is kept by payments from the day it was obtained to its date;
``review`` breaks it the day after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kokuho.delinquency.domain import events as ev
from kokuho.delinquency.domain.errors import CaseNotOpen, DateInTheFuture, PromiseInThePast
from kokuho.delinquency.domain.model import STAGES, Case

PROMISE_KINDS = ("payment", "home_visit", "office_visit", "callback")
OUTCOMES = ("reached", "promise", "refused", "wrong_number", "absent")


@dataclass(frozen=True)
class PromiseTerms:
    promise_id: str
    kind: str
    promised_on: date
    amount: int


@dataclass(frozen=True)
class RecordNegotiation:
    record_id: str
    officer: str
    officer_group: str
    officer_division: str
    counterparty: str
    channel: str
    outcome: str
    summary: str
    contacted_on: date
    promise: PromiseTerms | None
    today: date


def require_open(case: Case, what: str) -> None:
    if case.status != "open":
        raise CaseNotOpen(f"household {case.household}: {what} needs an open case")


def advance(case: Case, stage: str, on: date) -> list[ev.Event]:
    """Move the case forward to ``stage`` (never back: that is the broken plan's rule)."""
    current = STAGES.index(case.stage) if case.stage in STAGES else -1
    return [ev.StageChanged(stage, on)] if STAGES.index(stage) > current else []


def _record(case: Case, c: RecordNegotiation) -> list[ev.Event]:
    require_open(case, "a negotiation record")
    if c.contacted_on > c.today:
        raise DateInTheFuture(f"contacted on {c.contacted_on}, after today {c.today}")
    out: list[ev.Event] = [
        ev.NegotiationRecorded(
            c.record_id,
            c.officer,
            c.officer_group,
            c.officer_division,
            c.counterparty,
            c.channel,
            c.outcome,
            c.summary,
            c.contacted_on,
        )
    ]
    if c.promise is not None:
        p = c.promise
        if p.promised_on < c.contacted_on:
            raise PromiseInThePast(f"promised for {p.promised_on}, before {c.contacted_on}")
        out.append(
            ev.PromiseMade(p.promise_id, p.kind, p.promised_on, p.amount, c.officer, c.contacted_on)
        )
    return out + advance(case, "negotiation", c.contacted_on)


DECIDERS: dict[type[Any], Any] = {RecordNegotiation: _record}
