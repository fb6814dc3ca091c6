"""``python -m kokuho.linkage_gateway migrate|seed|serve|verify-audit|rotate-keys``."""

from __future__ import annotations

import sys
from pathlib import Path

from kokuho.events.contracts.linkage_gateway import TOPIC
from kokuho.events.runtime.topics import TopicSpec
from kokuho.linkage_gateway.bootstrap import build
from kokuho.linkage_gateway.commands import purge_inquiry_results_command, rotate_keys, seed
from kokuho.linkage_gateway.config import Settings
from kokuho.platform.commands import ServiceDefinition, main

DEFINITION = ServiceDefinition(
    settings=Settings,
    build_app=build,
    migrations=Path(__file__).resolve().parents[3] / "migrations",
    topics=[TopicSpec(TOPIC, 3, 1)],
    seed=seed,
    extra_commands={
        "rotate-keys": rotate_keys,
        "purge-inquiry-results": purge_inquiry_results_command,
    },
)

if __name__ == "__main__":
    sys.exit(main(DEFINITION))
