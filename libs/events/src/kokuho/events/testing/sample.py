"""A sample contract used by the runtime's own tests and benchmarks (not a domain event)."""

from __future__ import annotations

from kokuho.events.contracts import EventContract


class SampleRecorded(EventContract):
    event_type = "jp.kokuho.sample.sample_recorded.v1"

    n: int
    note: str = ""
