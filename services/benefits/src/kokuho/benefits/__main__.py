"""``python -m kokuho.benefits migrate|seed|serve|verify-audit|what-if <file.json>|monthly-run
--month YYYY-MM|retention [--dry-run]``."""

from __future__ import annotations

import sys
from pathlib import Path

from kokuho.benefits.bootstrap import build
from kokuho.benefits.commands import retention_command, seed
from kokuho.benefits.config import Settings
from kokuho.benefits.monthly_command import monthly_run_command
from kokuho.benefits.whatif import what_if_command
from kokuho.events.contracts.benefits import EVENTS_TOPIC
from kokuho.events.runtime.topics import TopicSpec
from kokuho.platform.commands import ServiceDefinition, main

DEFINITION = ServiceDefinition(
    settings=Settings,
    build_app=build,
    migrations=Path(__file__).resolve().parents[3] / "migrations",
    topics=[TopicSpec(EVENTS_TOPIC)],  # created with its dead-letter topic by migrate
    seed=seed,
    extra_commands={
        "what-if": what_if_command,
        "monthly-run": monthly_run_command,
        "retention": retention_command,
    },
)

if __name__ == "__main__":
    sys.exit(main(DEFINITION))
