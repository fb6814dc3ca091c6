"""``python -m kokuho.delinquency migrate|seed|serve|verify-audit|retention [--dry-run]``."""

from __future__ import annotations

import sys
from pathlib import Path

from kokuho.delinquency.bootstrap import build
from kokuho.delinquency.commands import retention_command, seed
from kokuho.delinquency.config import Settings
from kokuho.events.contracts.delinquency import EVENTS_TOPIC
from kokuho.events.runtime.topics import TopicSpec
from kokuho.platform.commands import ServiceDefinition, main

DEFINITION = ServiceDefinition(
    settings=Settings,
    build_app=build,
    migrations=Path(__file__).resolve().parents[3] / "migrations",
    topics=[TopicSpec(EVENTS_TOPIC)],  # created with its dead-letter topic by migrate
    seed=seed,
    extra_commands={"retention": retention_command},
)

if __name__ == "__main__":
    sys.exit(main(DEFINITION))
