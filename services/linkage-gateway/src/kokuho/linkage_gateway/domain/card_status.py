"""マイナ保険証 registration states as the online-qualification side (オンライン資格確認,
医療保険者等向け中間サーバー) reports them, and which of them are news (rules.md 5.4).

The side knows the person by the integrated addressee number (統合宛名番号) the gateway bound;
the gateway converts it to the addressee number (宛名番号) before anything leaves. A state is
news when the person has none published yet, or when its status or e-certificate expiry differ
from the last one published; a report older than the last one published is not (a late report
never undoes a newer state)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: The statuses of ``MynaInsuranceCardStatusChanged`` (the contract's pattern).
STATUSES = frozenset(
    {"registered", "no_card", "not_registered", "registration_cancelled", "card_returned"}
)
_INTEGRATED = re.compile(r"^[0-9]{16}$")


@dataclass(frozen=True)
class CardStateReport:
    """One person's state as the online-qualification side reports it."""

    integrated_addressee_number: str
    status: str
    e_certificate_expires_on: date | None
    as_of: date


@dataclass(frozen=True)
class PublishedCardState:
    """The last state the gateway published for a person (by addressee number)."""

    status: str
    e_certificate_expires_on: date | None
    as_of: date


def refusal(report: CardStateReport) -> str | None:
    """Why a report cannot be taken (None when it can): an unknown status or a malformed
    integrated addressee number is never guessed at."""
    if not _INTEGRATED.match(report.integrated_addressee_number):
        return "the integrated addressee number is not 16 digits"
    if report.status not in STATUSES:
        return f"unknown status {report.status!r}"
    if report.status == "no_card" and report.e_certificate_expires_on is not None:
        return "an e-certificate expiry for a person without a card"
    return None


def is_news(report: CardStateReport, published: PublishedCardState | None) -> bool:
    """Whether ``report`` should be published given the last state published."""
    if published is None:
        return True
    if report.as_of < published.as_of:
        return False
    return (report.status, report.e_certificate_expires_on) != (
        published.status,
        published.e_certificate_expires_on,
    )
