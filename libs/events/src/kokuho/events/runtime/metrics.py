"""Metrics of the eventing runtime (OpenTelemetry), defined once for every service (ADR 0092).

``INSTRUMENTS`` is the catalogue: the outbox's backlog and the age of its oldest unpublished
row (measured by the relay that holds the lead), each consumer's lag per partition (measured by
the consumer), messages dead-lettered and messages published (counted where they happen). The
dashboard and alert rules in ``deploy/observability`` name these instruments; a test holds them
to this list.

Gauges are observable: whoever measures ``report``s its readings and the callback hands the
current ones to the SDK at each collection, so a consumer that loses a partition, or a relay
that stops, stops reporting it instead of leaving its last value behind. The instruments are
made once per meter provider (the SDK keeps the first registration of a name and would drop a
second one's callback), whatever number of relays and consumers a process runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

Kind = Literal["counter", "gauge", "histogram"]
Attributes = Mapping[str, str | int]


@dataclass(frozen=True)
class Instrument:
    name: str
    kind: Kind
    unit: str
    description: str


OUTBOX_BACKLOG = Instrument(
    "kokuho.outbox.backlog",
    "gauge",
    "{message}",
    "Outbox rows not yet published to Kafka (measured by the leading relay).",
)
OUTBOX_OLDEST_AGE = Instrument(
    "kokuho.outbox.oldest_unpublished_age",
    "gauge",
    "s",
    "Age of the oldest outbox row not yet published; 0 when none waits.",
)
OUTBOX_PUBLISHED = Instrument(
    "kokuho.outbox.published",
    "counter",
    "{message}",
    "Outbox rows the broker acknowledged and the relay marked published.",
)
CONSUMER_LAG = Instrument(
    "kokuho.consumer.lag",
    "gauge",
    "{message}",
    "Messages on a partition after the consumer group's position (high watermark - position).",
)
DEAD_LETTERS = Instrument(
    "kokuho.consumer.dead_letters",
    "counter",
    "{message}",
    "Messages a consumer sent to <topic>.dlq (undecodable, refused, or failed every attempt).",
)

#: Every instrument of the eventing runtime.
INSTRUMENTS: tuple[Instrument, ...] = (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISHED,
    CONSUMER_LAG,
    DEAD_LETTERS,
)

METER_NAME = "kokuho.events"


class RuntimeMetrics:
    """The instruments on one meter provider, and the current readings of its gauges."""

    def __init__(self, meter_provider: metrics.MeterProvider | None = None) -> None:
        meter = (
            metrics.get_meter(METER_NAME)
            if meter_provider is None
            else meter_provider.get_meter(METER_NAME)
        )
        self._meter = meter
        self._lock = threading.Lock()
        #: gauge name -> owner id -> [(attributes, value)]
        self._readings: dict[str, dict[int, list[tuple[dict[str, str | int], float]]]] = {}
        self._counters: dict[str, metrics.Counter] = {}
        self._gauges: set[str] = set()
        for instrument in INSTRUMENTS:
            self.define(instrument)

    def define(self, instrument: Instrument) -> None:
        """Create ``instrument`` on this provider (once). Other packages (the platform's audit
        sealer) define theirs here too, so that one registry answers every gauge."""
        with self._lock:
            if instrument.kind == "gauge" and instrument.name not in self._gauges:
                self._gauges.add(instrument.name)
                self._readings.setdefault(instrument.name, {})
                self._meter.create_observable_gauge(
                    instrument.name,
                    callbacks=[self._callback(instrument.name)],
                    unit=instrument.unit,
                    description=instrument.description,
                )
            elif instrument.kind == "counter" and instrument.name not in self._counters:
                self._counters[instrument.name] = self._meter.create_counter(
                    instrument.name, unit=instrument.unit, description=instrument.description
                )

    def _callback(self, name: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def observe(options: CallbackOptions) -> Iterable[Observation]:
            with self._lock:
                current = [r for owned in self._readings[name].values() for r in owned]
            return [Observation(value, attributes) for attributes, value in current]

        return observe

    def report(
        self, instrument: Instrument, owner: object, readings: Iterable[tuple[Attributes, float]]
    ) -> None:
        """Replace what ``owner`` reports for the gauge ``instrument`` with ``readings``."""
        values = [(dict(attributes), float(value)) for attributes, value in readings]
        with self._lock:
            self._readings[instrument.name][id(owner)] = values

    def forget(self, owner: object) -> None:
        """``owner`` stopped: its readings are no longer reported."""
        with self._lock:
            for owned in self._readings.values():
                owned.pop(id(owner), None)

    def add(self, instrument: Instrument, amount: int, attributes: Attributes) -> None:
        self._counters[instrument.name].add(amount, dict(attributes))


_GLOBAL = object()
_BY_PROVIDER: dict[object, RuntimeMetrics] = {}
_BY_PROVIDER_LOCK = threading.Lock()


def runtime_metrics(meter_provider: metrics.MeterProvider | None = None) -> RuntimeMetrics:
    """The runtime's instruments on ``meter_provider`` (the global one when None, including
    one set later: the API forwards to it)."""
    key: object = _GLOBAL if meter_provider is None else meter_provider
    with _BY_PROVIDER_LOCK:
        found = _BY_PROVIDER.get(key)
        if found is None:
            found = _BY_PROVIDER[key] = RuntimeMetrics(meter_provider)
        return found
