"""``python -m kokuho.assessment migrate|seed|serve|verify-audit|what-if|annual-run|
rate-simulation|bench``."""

from __future__ import annotations

import sys
from pathlib import Path

from kokuho.assessment.bench import bench_command
from kokuho.assessment.bootstrap import build
from kokuho.assessment.commands import annual_run, rate_simulation, retention_command, seed, what_if
from kokuho.assessment.config import Settings
from kokuho.events.contracts.assessment import income_facts_topic
from kokuho.events.runtime.topics import TopicSpec
from kokuho.platform.commands import ServiceDefinition, main

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def definition() -> ServiceDefinition:
    """The service's commands; ``migrate`` creates its own topic, ``settings.events_topic``,
    and the restricted income-facts topic beside it."""
    return ServiceDefinition(
        settings=Settings,
        build_app=build,
        migrations=MIGRATIONS,
        topics=lambda settings: [  # the general topic and the restricted income facts (ADR 0045)
            TopicSpec(settings.events_topic, 3, 1),  # type: ignore[attr-defined]
            TopicSpec(income_facts_topic(settings.events_topic), 3, 1),  # type: ignore[attr-defined]
        ],
        seed=seed,  # type: ignore[arg-type]
        extra_commands={
            "what-if": what_if,  # type: ignore[dict-item]
            "annual-run": annual_run,  # type: ignore[dict-item]
            "rate-simulation": rate_simulation,  # type: ignore[dict-item]
            "bench": bench_command,
            "retention": retention_command,  # type: ignore[dict-item]
        },
    )


if __name__ == "__main__":
    sys.exit(main(definition()))
