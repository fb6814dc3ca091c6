"""Contract registry: every public event is a pydantic model with a versioned type string.

A contract class declares ``event_type = "jp.kokuho.<service>.<event_name>.v1"`` and is
registered when its module is imported. Additive changes stay within a version; a breaking
change is a new ``.v2`` class produced alongside the old one until consumers move.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from kokuho.events.contracts.envelope import TYPE_PATTERN

_REGISTRY: dict[str, type[EventContract]] = {}

C = TypeVar("C", bound="EventContract")


class UnknownEventType(LookupError):
    """The event type is not a registered contract."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type {event_type!r}")
        self.event_type = event_type


class EventContract(BaseModel):
    """Base class of every public event payload (the CloudEvents ``data``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type is None:
            return  # an abstract intermediate class
        if not TYPE_PATTERN.match(event_type):
            raise TypeError(f"{event_type!r} is not jp.kokuho.<service>.<event_name>.v<N>")
        existing = _REGISTRY.get(event_type)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise TypeError(f"{event_type} is already registered by {existing.__qualname__}")
        _REGISTRY[event_type] = cls


def load_all_contracts() -> None:
    """Import every contract module of this package (one per producing service), so a
    consumer knows every published type without importing each module by hand."""
    import importlib
    import pkgutil

    import kokuho.events.contracts as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in {"envelope", "registry"}:
            importlib.import_module(f"{package.__name__}.{module.name}")


def contract_for(event_type: str) -> type[EventContract]:
    if event_type not in _REGISTRY:
        load_all_contracts()
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def parse_data(event_type: str, data: dict[str, Any]) -> EventContract:
    """Validate an envelope's ``data`` against its registered contract."""
    return contract_for(event_type).model_validate(data)


def event_types() -> list[str]:
    load_all_contracts()
    return sorted(_REGISTRY)
