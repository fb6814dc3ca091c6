"""The retention job (ADR 0097) is scheduled by ``serve`` only when the city sets its time."""

from __future__ import annotations

from datetime import time

from kokuho.linkage_gateway.adapters.jobs import jobs
from kokuho.linkage_gateway.config import Settings


def test_the_retention_runs_daily_only_when_its_time_is_set() -> None:
    off = jobs(Settings())
    on = jobs(Settings(retention_time=time(2, 30)))
    assert len(on) == len(off) + 1
