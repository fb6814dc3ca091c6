"""Public event contracts: the CloudEvents envelope, the contract base class and the registry.

Pure data, no I/O. One module per producing service holds its events.
"""

from kokuho.events.contracts.envelope import CONTENT_TYPE, SPECVERSION, Envelope
from kokuho.events.contracts.registry import (
    EventContract,
    UnknownEventType,
    contract_for,
    event_types,
    parse_data,
)

__all__ = [
    "CONTENT_TYPE",
    "SPECVERSION",
    "Envelope",
    "EventContract",
    "UnknownEventType",
    "contract_for",
    "event_types",
    "parse_data",
]
