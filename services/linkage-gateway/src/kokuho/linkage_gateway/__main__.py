"""``python -m kokuho.linkage_gateway migrate|seed|serve|verify-audit|rotate-keys|
rotate-index-key|purge-inquiry-results|fetch-continuation-file|fetch-card-states``."""

from __future__ import annotations

import sys
from pathlib import Path

from kokuho.events.runtime.topics import TopicSpec
from kokuho.linkage_gateway.bootstrap import build
from kokuho.linkage_gateway.commands import (
    fetch_card_states_command,
    fetch_continuation_file_command,
    purge_inquiry_results_command,
    retention_command,
    rotate_index_key,
    rotate_keys,
    seed,
)
from kokuho.linkage_gateway.config import Settings
from kokuho.platform.commands import ServiceDefinition, main

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def definition() -> ServiceDefinition:
    """The service's commands; ``migrate`` creates its own topic, ``settings.events_topic``."""
    return ServiceDefinition(
        settings=Settings,
        build_app=build,
        migrations=MIGRATIONS,
        topics=lambda settings: [TopicSpec(settings.events_topic, 3, 1)],  # type: ignore[attr-defined]
        seed=seed,
        extra_commands={
            "rotate-keys": rotate_keys,
            "rotate-index-key": rotate_index_key,
            "purge-inquiry-results": purge_inquiry_results_command,
            "retention": retention_command,
            "fetch-continuation-file": fetch_continuation_file_command,
            "fetch-card-states": fetch_card_states_command,
        },
    )


if __name__ == "__main__":
    sys.exit(main(definition()))
