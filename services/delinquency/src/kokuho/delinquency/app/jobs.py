"""The daily review: every case whose state time can change is reviewed on ``today``
(openings, broken promises and plans, lapses, suspension write-offs, 特別療養費). One
transaction; a repeat on the same day changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kokuho.delinquency.app.cases import apply
from kokuho.delinquency.app.ports import DelinquencyUnitPort
from kokuho.delinquency.domain.parameters import Rules
from kokuho.delinquency.domain.review import Review


@dataclass(frozen=True)
class ReviewOutcome:
    reviewed: int
    changed: int
    events: dict[str, int]


async def review_all(uow: DelinquencyUnitPort, rules: Rules, today: date) -> ReviewOutcome:
    async with uow:
        households = await uow.cases.to_review()
        counts: dict[str, int] = {}
        changed: list[str] = []
        for household in households:
            _, events = await apply(uow, household, Review(today, rules))
            if events:
                changed.append(household)
            for e in events:
                counts[type(e).__name__] = counts.get(type(e).__name__, 0) + 1
        await uow.audit.record(subjects=changed, detail={"job": "review", "on": today.isoformat()})
        return ReviewOutcome(len(households), len(changed), counts)
