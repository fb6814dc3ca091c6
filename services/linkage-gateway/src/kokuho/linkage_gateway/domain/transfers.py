"""Transfers to other divisions of the city (移転): only flows in the approved registry, only
their listed items, only by their approved method (C-67, C-68); configuration drift against
the registry is flagged (C-69)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kokuho.platform.errors import DomainError

#: How a transfer leaves (C-68): the common platform's internal linkage (an event feed or a
#: yearly file) or a medium handed over by a person.
CHANNELS = frozenset({"event-feed", "yearly-file", "manual-handover", "unknown"})
MEDIA = frozenset({"paper", "flash-memory"})
METHODS = frozenset({"platform-linkage", *MEDIA})
#: approved: deliverable; incomplete: the source leaves cells out; unknown: the row is missing.
STATUSES = frozenset({"approved", "incomplete", "unknown"})
UNKNOWN = "unknown"
#: Never an item of a transfer: the source does not say any transfer carries the number.
INDIVIDUAL_NUMBER = "individual_number"


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


@dataclass(frozen=True)
class TransferFlow:
    """One transfer of the source (flows.md section 6): to whom, for which affair, on which
    basis, which items (only those), how often, by which channel, from which service."""

    flow_id: str
    seed_number: int
    status: str  # approved | incomplete | unknown
    recipient: str = UNKNOWN
    recipient_division: str = UNKNOWN
    affair: str = UNKNOWN
    legal_basis: str = UNKNOWN
    items: frozenset[str] = frozenset()
    persons: str = UNKNOWN
    frequency: str = UNKNOWN
    channel: str = UNKNOWN
    medium: str | None = None
    owning_service: str = UNKNOWN

    @property
    def method(self) -> str:
        """The approved method (C-68): internal linkage, or the medium handed over."""
        if self.channel in ("event-feed", "yearly-file"):
            return "platform-linkage"
        if self.channel == "manual-handover" and self.medium:
            return self.medium
        return UNKNOWN

    @property
    def deliverable(self) -> bool:
        return self.status == "approved"


class FlowMalformed(ValueError):
    """A registry row that breaks the registry's own rules (stops start-up)."""


def checked_flow(flow: TransferFlow) -> TransferFlow:
    """A row as the registry allows it: an approved flow has every cell, a known channel and
    method; no flow lists the individual number; a missing row carries nothing."""
    problems = []
    if flow.status not in STATUSES:
        problems.append(f"status {flow.status!r}")
    if flow.channel not in CHANNELS:
        problems.append(f"channel {flow.channel!r}")
    if (flow.channel == "manual-handover") != (flow.medium is not None):
        problems.append("a medium goes with a manual hand-over, and only with it")
    if flow.medium is not None and flow.medium not in MEDIA:
        problems.append(f"medium {flow.medium!r}")
    if INDIVIDUAL_NUMBER in flow.items:
        problems.append("the individual number is not an item of any transfer")
    if flow.status == "approved":
        cells = (flow.recipient, flow.affair, flow.legal_basis, flow.frequency, flow.channel)
        if UNKNOWN in cells or not flow.items or flow.method not in METHODS:
            problems.append("an approved flow needs every cell")
    if flow.status == "unknown" and (flow.items or flow.recipient != UNKNOWN):
        problems.append("a row missing from the source carries nothing")
    if problems:
        raise FlowMalformed(f"flow {flow.flow_id!r}: " + "; ".join(problems))
    return flow


@dataclass(frozen=True)
class TransferRegistry:
    version: str
    flows: Mapping[str, TransferFlow]

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

    def by_seed_number(self) -> list[TransferFlow]:
        return sorted(self.flows.values(), key=lambda f: f.seed_number)


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
