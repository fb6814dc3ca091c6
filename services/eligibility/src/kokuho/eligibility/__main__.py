"""``python -m kokuho.eligibility migrate|seed|serve|verify-audit|turning-75 [YYYY-MM-DD]|
copayment-rates [YYYY-MM-DD]|
retention [--dry-run]|feeds-initial-load [--dry-run]``."""

from __future__ import annotations

import sys
from pathlib import Path

from kokuho.eligibility.bootstrap import build, feeds_of_settings
from kokuho.eligibility.certificate_commands import certificates_command
from kokuho.eligibility.commands import (
    copayment_rates_command,
    feeds_initial_load_command,
    retention_command,
    seed,
    turning_75_command,
)
from kokuho.eligibility.config import Settings
from kokuho.events.contracts import eligibility as contracts
from kokuho.events.contracts import linkage_gateway
from kokuho.events.runtime.feeds import feed_topic_specs
from kokuho.events.runtime.topics import TopicSpec
from kokuho.platform.commands import ServiceDefinition, main
from kokuho.platform.settings import ServiceSettings

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def topics(settings: ServiceSettings) -> list[TopicSpec]:
    assert isinstance(settings, Settings)
    return [
        TopicSpec(contracts.EVENTS_TOPIC, 3, 1),
        TopicSpec(contracts.PERSONAL_DETAILS_TOPIC, 3, 1, compacted=True),
        # The topic eligibility consumes (and its .dlq, where refused differences go): created
        # here too, idempotently, so the consumer never waits on a topic that is not there yet.
        TopicSpec(linkage_gateway.TOPIC, 3, 1),
        # The department feeds eligibility owns in the transfer registry (ADR 0089).
        *feed_topic_specs(feeds_of_settings(settings)),
    ]


DEFINITION = ServiceDefinition(
    settings=Settings,
    build_app=build,
    migrations=MIGRATIONS,
    topics=topics,
    seed=seed,
    extra_commands={
        "turning-75": turning_75_command,
        "copayment-rates": copayment_rates_command,
        "certificates": certificates_command,
        "retention": retention_command,
        "feeds-initial-load": feeds_initial_load_command,
    },
)

if __name__ == "__main__":
    sys.exit(main(DEFINITION))
