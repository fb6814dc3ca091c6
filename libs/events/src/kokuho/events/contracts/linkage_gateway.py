"""Public events of linkage-gateway (topic ``kokuho.linkage-gateway.events``, key: addressee
number).

They never carry an individual number, its index, its mask or the integrated addressee number:
only that a fact happened to a person known by the addressee number (宛名番号).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import Field

from kokuho.events.contracts.registry import EventContract

TOPIC = "kokuho.linkage-gateway.events"

_ADDRESSEE = Field(pattern=r"^[0-9]{10}$", description="宛名番号")


class IndividualNumberBound(EventContract):
    """An individual number was checked (check digit, J-LIS) and bound to the person."""

    event_type: ClassVar[str] = "jp.kokuho.linkage_gateway.individual_number_bound.v1"

    addressee_number: str = _ADDRESSEE
    bound_at: datetime


class ReplicaRegistered(EventContract):
    """A provision replica (副本) was registered at the intermediate server (C-79)."""

    event_type: ClassVar[str] = "jp.kokuho.linkage_gateway.replica_registered.v1"

    addressee_number: str = _ADDRESSEE
    information_item: str = Field(min_length=1, max_length=64)
    effective_date: date
    registered_at: datetime


class FederationDifferenceConfirmed(EventContract):
    """Staff confirmed a difference between the federation's daily eligibility-continuation
    file (資格継続) and our records (C-20, C-21): eligibility should apply the federation's
    dates. ``kind`` is ``unknown-to-us``, ``acquisition-date`` or ``loss-date``."""

    event_type: ClassVar[str] = "jp.kokuho.linkage_gateway.federation_difference_confirmed.v1"

    addressee_number: str = _ADDRESSEE
    insured_number: str = Field(pattern=r"^[0-9]{8}$")
    kind: str = Field(pattern=r"^(unknown-to-us|acquisition-date|loss-date)$")
    federation_acquisition_date: date
    federation_loss_date: date | None
    file_date: date
    confirmed_by: str = Field(min_length=1, max_length=64)


class EApplicationAccepted(EventContract):
    """An e-application (電子申請) whose signature was verified (C-12), converted to the
    addressee number and stripped of the individual number, for the affair that handles it
    (for now the no-income declaration, 所得なし申告, for assessment)."""

    event_type: ClassVar[str] = "jp.kokuho.linkage_gateway.e_application_accepted.v1"

    receipt_number: str = Field(min_length=1, max_length=40)
    procedure_code: str = Field(min_length=1, max_length=40)
    affair: str = Field(min_length=1, max_length=40)
    addressee_number: str = _ADDRESSEE
    applied_at: datetime
    answers: dict[str, str | int | bool | None]


class HighCostCarryOverListed(EventContract):
    """One household on the federation's monthly high-cost carry-over list (高額該当の引き継ぎ):
    ``kind`` ``candidate`` (継続候補世帯リスト) or ``confirmed`` (継続世帯確定リスト), for
    benefits to continue the count of high-cost months (多数回該当) after a move within the
    prefecture."""

    event_type: ClassVar[str] = "jp.kokuho.linkage_gateway.high_cost_carry_over_listed.v1"

    kind: str = Field(pattern=r"^(candidate|confirmed)$")
    target_month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    nhi_household_number: str = Field(pattern=r"^[0-9]{10}$")
    householder_addressee_number: str = Field(pattern=r"^[0-9]{10}$")
    previous_insurer_number: str = Field(pattern=r"^([0-9]{6}|[0-9]{8})$")
    high_cost_months: int = Field(ge=0, le=12)
    last_high_cost_month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    file_date: date


class MynaInsuranceCardStatusChanged(EventContract):
    """A member's マイナ保険証 state as the online-qualification side (医療保険者等向け中間サーバー)
    reports it, already converted to the addressee number (rules.md 5.4): eligibility decides
    from it who gets a 資格確認書 and who a 資格情報のお知らせ (SF-Q08). ``status``:
    ``registered`` (保険証利用登録 done), ``no_card``, ``not_registered``,
    ``registration_cancelled`` or ``card_returned`` (returned or expired card);
    ``e_certificate_expires_on`` is the card's 利用者証明用電子証明書 expiry, if known."""

    event_type: ClassVar[str] = "jp.kokuho.linkage_gateway.myna_insurance_card_status_changed.v1"

    addressee_number: str = _ADDRESSEE
    status: str = Field(
        pattern=r"^(registered|no_card|not_registered|registration_cancelled|card_returned)$"
    )
    e_certificate_expires_on: date | None = None
    as_of: date = Field(description="the day the online-qualification side reported the state")
