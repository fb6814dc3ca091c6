"""The eventing runtime measured ``runs`` times (issue 15): event-store append against a raw
COPY, outbox relay against a raw idempotent producer, inbox consumer (and a raw consumer).
Each run uses fresh databases and topics; the rows keep every run (min/median/max) and a goal
is met only when every run meets it."""

from __future__ import annotations

from bench import relay_and_consumer, store_append
from bench.report import Goal, Result, Row
from kokuho.events.runtime.connection import KafkaConnection

GOALS = {
    "event store append": Goal(">=", 0.7, on="ratio"),
    "outbox relay": Goal(">=", 0.5, on="ratio"),
    "inbox consumer": Goal(">=", 30_000),
}


async def runtime_rows(
    admin_dsn: str, kafka: KafkaConnection, total: int, runs: int = 3
) -> list[Row]:
    measured: dict[str, list[Result]] = {}
    for run in range(1, runs + 1):
        results = [
            *await store_append.run(admin_dsn, total),
            *await relay_and_consumer.run(admin_dsn, kafka, total),
        ]
        for result in results:
            print(f"run {run}/{runs}: {result.line()}", flush=True)
            measured.setdefault(result.name, []).append(result)
    return [
        Row.of_runs(
            f"{name} ({total:,} events)",
            [r.rate for r in results],
            "events/s",
            baselines=[r.baseline_rate or 0.0 for r in results],
            baseline_name=results[0].baseline_name or "",
            goal=GOALS.get(name),
        )
        for name, results in measured.items()
    ]
