"""Settings of collection.

Environment prefix ``KOKUHO_COLLECTION_``.
They fail closed: a variable under the prefix that names no field stops start-up with its name.
Development-only behaviour stays off unless the local runner or a test turns it on.
"""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import collection as contracts
from kokuho.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_COLLECTION_")
    service_name: str = "collection"

    #: this service's own topic (the contract's name; tests point it at their own topic)
    events_topic: str = contracts.EVENTS_TOPIC
