"""What a served process would otherwise load at its first request, loaded before it serves.

A module whose first use loads something large registers the loading with ``before_serving``
(the name policy reads the print fonts' cmaps: ~0.25 s of CPU on the event loop at the first
name checked, every request in flight waiting behind it: issue 15). ``serve`` runs every
registered step before it freezes start-up's objects out of the cyclic collector, so what they
load is frozen with the rest. A step that fails stops start-up (a missing font is found when
the service starts, not at a resident's registration)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

StepT = TypeVar("StepT", bound=Callable[[], object])

_STEPS: list[Callable[[], object]] = []


def before_serving(step: StepT) -> StepT:
    """Register ``step`` (a decorator); registering the same step twice runs it once."""
    if step not in _STEPS:
        _STEPS.append(step)
    return step


def run() -> None:
    """Run the registered steps, in the order they were registered."""
    for step in list(_STEPS):
        step()
