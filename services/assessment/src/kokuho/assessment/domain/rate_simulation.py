"""料率改定試算 (rate-setting simulation, ADR 0039): every household of a fiscal year assessed
under the current parameters and under candidate sets, tallied per set: the levy per
component, the households at each cap, the households at each 7/5/2割 level, the deciles of
the household premium and, per candidate, the difference against the current rates.

Pure: the caller feeds households; nothing is stored. A household is counted under every set
or under none (its facts, not the rates, decide whether it is assessed), so the sets compare
household by household.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kokuho.assessment.domain.errors import AssessmentError, NoInsuredMonths
from kokuho.assessment.domain.household import Household
from kokuho.assessment.domain.parameters import PremiumParameters
from kokuho.assessment.domain.premium import Assessment, assess_each

DECILES = tuple(range(10, 100, 10))


@dataclass
class Tally:
    """What one parameter set gives over a run of households: the part a worker returns."""

    levy: Counter[str] = field(default_factory=Counter)  # yen per component
    at_cap: Counter[str] = field(default_factory=Counter)  # households per component
    reductions: Counter[str] = field(default_factory=Counter)  # households per 7/5/2/0
    premiums: list[int] = field(default_factory=list)  # per household, in feeding order

    def add(self, result: Assessment) -> None:
        for c in result.components:
            self.levy[c.component.value] += c.amount
            if any(s.capped for s in c.segments):
                self.at_cap[c.component.value] += 1
        level = _level(result)
        self.reductions[f"{level}割" if level else "none"] += 1
        self.premiums.append(result.total)

    def absorb(self, later: Tally) -> None:
        """Add the tally of the households fed after these (their order is kept)."""
        self.levy.update(later.levy)
        self.at_cap.update(later.at_cap)
        self.reductions.update(later.reductions)
        self.premiums.extend(later.premiums)


@dataclass
class SetTally:
    """What one named parameter set gives over the households fed so far."""

    name: str
    params: PremiumParameters
    tally: Tally = field(default_factory=Tally)

    def summary(self) -> dict[str, Any]:
        t = self.tally
        return {
            "name": self.name,
            "parameter_documents": list(self.params.documents),
            "total": sum(t.premiums),
            "levy_per_component": dict(t.levy),
            "households_at_cap": {
                c.component.value: t.at_cap[c.component.value] for c in self.params.components
            },
            "households_per_reduction": {k: t.reductions[k] for k in ("7割", "5割", "2割", "none")},
            "deciles": deciles(t.premiums),
            "mean": sum(t.premiums) // len(t.premiums) if t.premiums else 0,
        }


@dataclass
class SimulationPart:
    """A run of households under every set (one tally per set, in the sets' order), as a
    worker assesses a chunk; :meth:`RateSimulation.absorb` adds it in feeding order."""

    tallies: list[Tally]
    households: int = 0  # fed and assessed under every set
    not_in_year: int = 0  # no insured month in the year
    refused: Counter[str] = field(default_factory=Counter)  # rule → households

    @classmethod
    def empty(cls, sets: int) -> SimulationPart:
        return cls([Tally() for _ in range(sets)])

    def feed(self, household: Household, sets: Sequence[PremiumParameters]) -> None:
        try:
            results = assess_each(household, sets)
        except NoInsuredMonths:
            self.not_in_year += 1
            return
        except AssessmentError as refused:
            self.refused[type(refused).__name__] += 1
            return
        for tally, result in zip(self.tallies, results, strict=True):
            tally.add(result)
        self.households += 1


def assess_part(
    sets: Sequence[PremiumParameters], households: Iterable[Household]
) -> SimulationPart:
    """``households`` under each of ``sets``: what one worker does with one chunk."""
    part = SimulationPart.empty(len(sets))
    for household in households:
        part.feed(household, sets)
    return part


def _level(result: Assessment) -> int:
    """The 7/5/2割 level judged at the levy date (the first segment's judgement)."""
    for c in result.components:
        for s in c.segments:
            return s.judgement.level
    return 0


def deciles(values: list[int]) -> dict[str, int]:
    """The 10th..90th percentiles (nearest rank), min and max of the household premiums."""
    if not values:
        return {}
    ordered = sorted(values)
    n = len(ordered)
    out = {"min": ordered[0]}
    for p in DECILES:
        rank = max(1, -(-p * n // 100))  # ceil(p·n/100)
        out[f"p{p}"] = ordered[rank - 1]
    out["max"] = ordered[-1]
    return out


def difference(current: SetTally, candidate: SetTally) -> dict[str, Any]:
    """The candidate against the current rates, in total, per component and per household."""
    now, then = current.tally, candidate.tally
    changes = [b - a for a, b in zip(now.premiums, then.premiums, strict=True)]
    components = set(now.levy) | set(then.levy)
    return {
        "total": sum(then.premiums) - sum(now.premiums),
        "per_component": {c: then.levy[c] - now.levy[c] for c in sorted(components)},
        "households_up": sum(1 for d in changes if d > 0),
        "households_down": sum(1 for d in changes if d < 0),
        "households_unchanged": sum(1 for d in changes if d == 0),
        "largest_increase": max(changes, default=0),
        "largest_decrease": min(changes, default=0),
        "change_deciles": deciles(changes),
    }


@dataclass
class RateSimulation:
    """The current set first, then the candidates."""

    sets: list[SetTally]
    households: int = 0  # fed and assessed under every set
    not_in_year: int = 0  # no insured month in the year
    refused: Counter[str] = field(default_factory=Counter)  # rule → households

    @classmethod
    def of(
        cls, current: PremiumParameters, candidates: list[tuple[str, PremiumParameters]]
    ) -> RateSimulation:
        return cls([SetTally("current", current), *(SetTally(n, p) for n, p in candidates)])

    @property
    def parameters(self) -> list[PremiumParameters]:
        return [t.params for t in self.sets]

    def feed(self, household: Household) -> None:
        self.absorb(assess_part(self.parameters, [household]))

    def absorb(self, part: SimulationPart) -> None:
        """Add the households of ``part``, assessed after those fed so far."""
        for named, later in zip(self.sets, part.tallies, strict=True):
            named.tally.absorb(later)
        self.households += part.households
        self.not_in_year += part.not_in_year
        self.refused.update(part.refused)

    def summary(self) -> dict[str, Any]:
        current, *candidates = self.sets
        return {
            "households": self.households,
            "not_in_year": self.not_in_year,
            "refused": dict(self.refused),
            "current": current.summary(),
            "candidates": [
                {**c.summary(), "difference": difference(current, c)} for c in candidates
            ],
        }
