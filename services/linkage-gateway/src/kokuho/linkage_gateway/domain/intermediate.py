"""Rules of information linkage through the intermediate server (自治体中間サーバー).

- Inquiries (情報照会) only for a pair on the permitted-inquiry list (照会許可照合リスト), which is
  data loaded from a file (C-71..C-74).
- Provisions (情報提供) only to permitted requesters; items flagged no-automatic-response are
  held for a person's approval (C-80, C-81).
- Replicas (副本) change only when the original changed (C-79), and are reconciled against the
  originals (C-84).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kokuho.platform.errors import DomainError


class InquiryNotPermitted(DomainError):
    """C-74: the (affair, provider, item) is not on the permitted-inquiry list."""

    slug = "inquiry-not-permitted"

    def __init__(self, affair: str, provider: str, item: str) -> None:
        super().__init__(
            f"inquiry by affair {affair!r} to {provider!r} for item {item!r} is not on the "
            "permitted-inquiry list (C-74); nothing was sent"
        )
        self.affair, self.provider, self.item = affair, provider, item


class ProvisionNotPermitted(DomainError):
    """C-80: the requester may not receive this item."""

    slug = "provision-not-permitted"

    def __init__(self, requester: str, item: str) -> None:
        super().__init__(f"provision of item {item!r} to {requester!r} is not permitted (C-80)")
        self.requester, self.item = requester, item


class UnknownReplicaItem(DomainError):
    slug = "unknown-replica-item"

    def __init__(self, item: str) -> None:
        super().__init__(f"item {item!r} has no replica registration row")
        self.item = item


@dataclass(frozen=True)
class InquiryPermit:
    """One row of the permitted-inquiry list: our affair may ask ``provider`` for ``item``."""

    legal_basis_row: str
    affair: str
    provider: str
    item: str


@dataclass(frozen=True)
class ProvisionPermit:
    """``requester`` may receive our ``item`` under ``legal_basis_row``."""

    legal_basis_row: str
    requester: str
    item: str


@dataclass(frozen=True)
class ReplicaItem:
    """An item we keep as a replica at the intermediate server."""

    item: str
    legal_basis_row: str
    no_auto_response: bool


@dataclass(frozen=True)
class PermittedInquiryList:
    version: str
    inquiries: tuple[InquiryPermit, ...]
    provisions: tuple[ProvisionPermit, ...]
    replica_items: Mapping[str, ReplicaItem]

    def check_inquiry(self, *, affair: str, provider: str, item: str) -> InquiryPermit:
        for permit in self.inquiries:
            if (permit.affair, permit.provider, permit.item) == (affair, provider, item):
                return permit
        raise InquiryNotPermitted(affair, provider, item)

    def replica_item(self, item: str) -> ReplicaItem:
        try:
            return self.replica_items[item]
        except KeyError:
            raise UnknownReplicaItem(item) from None


@dataclass(frozen=True)
class ProvisionDecision:
    permit: ProvisionPermit
    automatic: bool  # False: held for a person's approval (C-81)


def decide_provision(
    permits: PermittedInquiryList, *, requester: str, item: str
) -> ProvisionDecision:
    for permit in permits.provisions:
        if (permit.requester, permit.item) == (requester, item):
            flagged = permits.replica_item(item).no_auto_response
            return ProvisionDecision(permit, automatic=not flagged)
    raise ProvisionNotPermitted(requester, item)


# --- replicas ------------------------------------------------------------------------------

QUALIFICATION_ITEM = "nhi-qualification"
PREMIUM_ITEM = "nhi-premium"


@dataclass(frozen=True)
class QualificationReplica:
    """The NHI qualification as held in the replica (資格情報の副本)."""

    insured: bool
    acquisition_date: date | None
    loss_date: date | None

    def content(self) -> dict[str, Any]:
        return {
            "insured": self.insured,
            "acquisition_date": self.acquisition_date.isoformat()
            if self.acquisition_date
            else None,
            "loss_date": self.loss_date.isoformat() if self.loss_date else None,
        }


def replica_changed(current: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """C-79: register only when the original changed (a redelivered event registers nothing)."""
    return current is None or dict(current) != dict(new)


@dataclass(frozen=True)
class Difference:
    """A replica that does not match its original (C-84)."""

    key: tuple[str, str]  # (integrated addressee number, item)
    original: Mapping[str, Any] | None
    replica: Mapping[str, Any] | None

    @property
    def kind(self) -> str:
        if self.original is None:
            return "replica-without-original"
        if self.replica is None:
            return "original-without-replica"
        return "content-differs"


def reconcile(
    originals: Mapping[tuple[str, str], Mapping[str, Any]],
    replicas: Mapping[tuple[str, str], Mapping[str, Any]],
) -> list[Difference]:
    keys: Iterable[tuple[str, str]] = sorted(set(originals) | set(replicas))
    return [
        Difference(k, originals.get(k), replicas.get(k))
        for k in keys
        if originals.get(k) != replicas.get(k)
    ]
