"""Who gets which document (SF-Q08, rules.md 5.4): a member without a usable マイナ保険証 gets a
資格確認書 without applying, and so do members under 住基 DV support and 要配慮者 who applied;
a member whose マイナ保険証 works gets a 資格情報のお知らせ.

Pure: the member's basis (what the online-qualification side reported, what a clerk recorded)
and the day in, the kind and the rule's reason out."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

CONFIRMATION_DOCUMENT = "eligibility_confirmation_document"
INFORMATION_NOTICE = "eligibility_information_notice"

#: States of the online-qualification side that mean no usable マイナ保険証 (rules.md 5.4).
NO_USABLE_CARD = frozenset({"no_card", "not_registered", "registration_cancelled", "card_returned"})
CARD_STATUSES = NO_USABLE_CARD | {"registered"}


@dataclass(frozen=True)
class CertificateBasis:
    """What decides the document of one member. ``card_status`` None: the online-qualification
    side has reported nothing about the member (yet)."""

    card_status: str | None = None
    e_certificate_expires_on: date | None = None
    dv_support: bool = False
    on_application: bool = False


@dataclass(frozen=True)
class RenewalRules:
    """The bulk renewal's figures (``parameters/certificate_renewal.toml``)."""

    name: str
    issued_from: date
    valid_until: date
    grace_months: int
    version: str


@dataclass(frozen=True)
class HeldDocument:
    """A 資格確認書 or お知らせ the member holds (not collected)."""

    kind: str
    issue_date: date
    valid_until: date | None


@dataclass(frozen=True)
class Choice:
    kind: str
    reason: str


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def choose_certificate(basis: CertificateBasis, on: date, grace_months: int) -> Choice:
    """The document for a member on ``on``. The order is the rule's: a DV-support status or an
    application gives a 資格確認書 whatever the card; then the card's state; then an electronic
    certificate lapsed for more than ``grace_months`` (the card is unusable as 保険証); only a
    registered, usable card gives a お知らせ. A member the online-qualification side has not
    reported gets a 資格確認書 (``status_unknown``): nobody is left without a document that
    works at the counter (ADR 0017)."""
    if basis.dv_support:
        return Choice(CONFIRMATION_DOCUMENT, "dv_support")
    if basis.on_application:
        return Choice(CONFIRMATION_DOCUMENT, "on_application")
    if basis.card_status is None:
        return Choice(CONFIRMATION_DOCUMENT, "status_unknown")
    if basis.card_status in NO_USABLE_CARD:
        return Choice(CONFIRMATION_DOCUMENT, basis.card_status)
    if basis.card_status != "registered":
        raise ValueError(f"unknown マイナ保険証 status {basis.card_status!r}")
    expiry = basis.e_certificate_expires_on
    # "lapsed for more than 3 months": on expiry + 3 months it is exactly 3 months, still usable
    if expiry is not None and on > add_months(expiry, grace_months):
        return Choice(CONFIRMATION_DOCUMENT, "e_certificate_lapsed")
    return Choice(INFORMATION_NOTICE, "registered")


def needs_issue(choice: Choice, held: list[HeldDocument], renewal: RenewalRules) -> bool:
    """Whether the renewal issues ``choice``: not when the member holds a document of that kind
    issued in this renewal's season or valid on the renewal's last day (a お知らせ under 70
    has no expiry). So a re-run, or a run after a stop, issues nothing twice."""
    for doc in held:
        if doc.kind != choice.kind:
            continue
        if doc.issue_date >= renewal.issued_from:
            return False
        if doc.valid_until is None or doc.valid_until >= renewal.valid_until:
            return False
    return True
