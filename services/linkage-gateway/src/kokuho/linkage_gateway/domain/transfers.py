"""Transfers to other divisions of the city (移転): only flows in the approved registry, only
their listed items, only by their approved method (C-67, C-68); configuration drift against
the registry is flagged (C-69). The registry's rows and rules are shared
(``kokuho.events.transfers``: the owning services' feeds and the broker's ACLs read them too)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kokuho.events.transfers import (
    CHANNELS,
    INDIVIDUAL_NUMBER,
    MEDIA,
    METHODS,
    STATUSES,
    UNKNOWN,
    FlowMalformed,
    TransferFlow,
    checked_flow,
)
from kokuho.events.transfers import TransferRegistry as Registry
from kokuho.platform.errors import DomainError

__all__ = [
    "CHANNELS",
    "INDIVIDUAL_NUMBER",
    "MEDIA",
    "METHODS",
    "STATUSES",
    "UNKNOWN",
    "Drift",
    "FlowMalformed",
    "ItemsNotApproved",
    "MethodNotApproved",
    "TransferFlow",
    "TransferNotRegistered",
    "TransferRefused",
    "TransferRegistry",
    "checked_flow",
    "configuration_drift",
]


class TransferRefused(DomainError):
    """Base of the refusals; nothing is delivered."""


class TransferNotRegistered(TransferRefused):
    slug = "transfer-not-registered"

    def __init__(self, flow_id: str, recipient: str, why: str = "") -> None:
        super().__init__(f"no approved transfer flow {flow_id!r} to {recipient!r} (C-67){why}")
        self.flow_id, self.recipient = flow_id, recipient


class MethodNotApproved(TransferRefused):
    slug = "method-not-approved"

    def __init__(self, flow_id: str, method: str) -> None:
        super().__init__(f"flow {flow_id!r} is not approved for method {method!r} (C-68)")
        self.flow_id, self.method = flow_id, method


class ItemsNotApproved(TransferRefused):
    slug = "items-not-approved"

    def __init__(self, flow_id: str, items: Iterable[str]) -> None:
        names = sorted(items)
        super().__init__(f"flow {flow_id!r} is not approved for items {names} (C-67)")
        self.flow_id, self.items = flow_id, names


class TransferRegistry(Registry):
    """The shared registry (``kokuho.events.transfers``) with the gateway's checks."""

    def check(
        self, *, flow_id: str, recipient: str, method: str, items: Iterable[str]
    ) -> TransferFlow:
        flow = self.flows.get(flow_id)
        if flow is None or flow.recipient != recipient:
            raise TransferNotRegistered(flow_id, recipient)
        if not flow.deliverable:
            raise TransferNotRegistered(
                flow_id, recipient, f": the flow is {flow.status} in the source"
            )
        if flow.method != method:
            raise MethodNotApproved(flow_id, method)
        extra = set(items) - flow.items
        if extra:
            raise ItemsNotApproved(flow_id, extra)
        return flow


@dataclass(frozen=True)
class Drift:
    recipient: str
    method: str
    reason: str


def configuration_drift(
    registry: TransferRegistry, configured_routes: Iterable[tuple[str, str]]
) -> list[Drift]:
    """C-69: every configured (recipient, method) route needs an approved flow."""
    approved = {(f.recipient, f.method) for f in registry.flows.values() if f.deliverable}
    return [
        Drift(recipient, method, "route without an approved registry entry")
        for recipient, method in sorted(set(configured_routes))
        if (recipient, method) not in approved
    ]
