"""Settings of delinquency. Environment prefix ``KOKUHO_DELINQUENCY_``.

They fail closed: a variable under the prefix that names no field stops start-up with its name.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import collection
from kokuho.events.contracts import delinquency as contracts
from kokuho.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_DELINQUENCY_")
    service_name: str = "delinquency"

    #: this service's own topic (the contract's name; tests point it at their own topic)
    events_topic: str = contracts.EVENTS_TOPIC
    #: collection's general topic: the only way delinquency data comes in (C-08)
    collection_topic: str = collection.EVENTS_TOPIC
    #: consume collection's events (off for tests that drive the API alone)
    consume_collection: bool = True
    #: a parameter file replacing the packaged one (the city's confirmed figures)
    parameters_file: Path | None = None
