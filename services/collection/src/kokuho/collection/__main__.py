"""``python -m kokuho.collection migrate|seed|serve|verify-audit|import-payments|dunning|
prescription|tax-deduction-transfer|retention [--dry-run]|...``."""

from __future__ import annotations

import sys
from pathlib import Path

from kokuho.collection.bootstrap import build
from kokuho.collection.commands import (
    debit_request_command,
    debit_results_command,
    dunning_command,
    import_command,
    pension_results_command,
    prescription_command,
    retention_command,
    seed,
    tax_transfer_command,
)
from kokuho.collection.config import Settings
from kokuho.events.runtime.topics import TopicSpec
from kokuho.platform.commands import ServiceDefinition, main
from kokuho.platform.settings import ServiceSettings


def _topics(settings: ServiceSettings) -> list[TopicSpec]:
    assert isinstance(settings, Settings)
    return [TopicSpec(settings.events_topic)]  # created with its dead-letter topic by migrate


DEFINITION = ServiceDefinition(
    settings=Settings,
    build_app=build,
    migrations=Path(__file__).resolve().parents[3] / "migrations",
    topics=_topics,
    seed=seed,
    extra_commands={
        "import-payments": import_command,
        "dunning": dunning_command,
        "prescription": prescription_command,
        "debit-request": debit_request_command,
        "import-debit-results": debit_results_command,
        "import-pension-results": pension_results_command,
        "tax-deduction-transfer": tax_transfer_command,
        "retention": retention_command,
    },
)

if __name__ == "__main__":
    sys.exit(main(DEFINITION))
