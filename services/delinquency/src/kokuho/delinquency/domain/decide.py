"""``decide(case, command)``: the events a command causes, or the rule it breaks; one table
gathered from the rule families."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kokuho.delinquency.domain import (
    enforcement,
    lifecycle,
    negotiation,
    plans,
    relief,
    reminders,
    review,
    special_care,
)
from kokuho.delinquency.domain.events import Event
from kokuho.delinquency.domain.model import Case

Decider = Callable[[Case, Any], list[Event]]

DECIDERS: dict[type[Any], Decider] = {
    **lifecycle.DECIDERS,
    **negotiation.DECIDERS,
    **plans.DECIDERS,
    **relief.DECIDERS,
    **enforcement.DECIDERS,
    **special_care.DECIDERS,
    **reminders.DECIDERS,
    **review.DECIDERS,
}


def decide(case: Case, command: object) -> list[Event]:
    try:
        decider = DECIDERS[type(command)]
    except KeyError:
        raise TypeError(f"no rule decides {type(command).__name__}") from None
    return decider(case, command)
