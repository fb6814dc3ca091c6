"""What the levies of one component need for one segment (months sharing one state)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from kokuho.assessment.domain.household import Person
from kokuho.assessment.domain.parameters import Component, ComponentRates, PremiumParameters
from kokuho.assessment.domain.premium.explanation import LevyLine, ReductionJudgement
from kokuho.assessment.domain.premium.months import MonthState, Timeline


def _insured(state: MonthState) -> tuple[str, ...]:
    return state.insured


def _long_term_care(state: MonthState) -> tuple[str, ...]:
    return state.long_term_care


#: Who is liable for a component in a month: every insured member, except for 介護分 (members
#: liable for 介護, aged 40–64).
LIABLE: dict[Component, Callable[[MonthState], tuple[str, ...]]] = {
    Component.LONG_TERM_CARE: _long_term_care,
}


def liable(component: Component, state: MonthState) -> tuple[str, ...]:
    return LIABLE.get(component, _insured)(state)


class Levying(NamedTuple):
    """What the levies of one component need for one segment (a tuple: built for every
    segment of every household, where a frozen dataclass cost ~2 µs)."""

    params: PremiumParameters
    rates: ComponentRates
    state: MonthState
    judgement: ReductionJudgement
    people: Mapping[str, Person]
    timelines: Mapping[str, Timeline]
    liable: tuple[str, ...]
    explain: bool
    lines: list[LevyLine]  # the explanation, in order; left empty unless ``explain``

    def exempt_for_childbirth(self, addressee_number: str) -> bool:
        """産前産後: this member's 所得割/資産割/均等割 are exempt in this segment."""
        return (
            addressee_number in self.state.childbirth_exempt
            and self.rates.childbirth_exemption_applies
        )
