"""Settings of benefits.

Environment prefix ``KOKUHO_BENEFITS_``.
They fail closed: a variable under the prefix that names no field stops start-up with its name.
Development-only behaviour stays off unless the local runner or a test turns it on.
"""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import benefits as contracts
from kokuho.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_BENEFITS_")
    service_name: str = "benefits"

    #: this service's own topic (the contract's name; tests point it at their own topic)
    events_topic: str = contracts.EVENTS_TOPIC
