"""Feeds for other divisions of the city (移転 by internal linkage, issue 16, ADR 0089).

One topic per transfer that the registry (``kokuho.events.transfers``, ``transfer_flows.toml``)
delivers by events, made for its recipient and named there (``feed_topic``), with a compacted
current-state companion where the recipient needs a snapshot (``snapshot_topic``). The owning
service feeds it from its own events (``kokuho.events.runtime.feeds``). Each message carries
exactly the registry's items for that transfer (the loader refuses a contract with any other
field): the addressee number and the facts, never an individual number, never a name. Key: the
addressee number, so one person's entries arrive in order; each entry is that person's state
after the change (the companion keeps only the latest).

The topics are not module constants here: the registry is their one source (the catalog reads
them from it).
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from kokuho.events.contracts.eligibility import AddresseeNumber, HouseholdNumber
from kokuho.events.contracts.registry import EventContract

AcquisitionDate = date | None
LossDate = date | None

_ACQUIRED = "資格取得日; null only for a person insured before the feed began who then lost it"
_LOST = "資格喪失日; null while the person is insured"


class LtcInsuranceEligibility(EventContract):
    """Transfer 5: NHI eligibility to the LTC Insurance Division (介護保険課) for LTC need
    certification and benefits; the person's NHI qualification after a change."""

    event_type = "jp.kokuho.feeds.ltc_insurance_eligibility.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    acquisition_date: AcquisitionDate = Field(description=_ACQUIRED)
    loss_date: LossDate = Field(description=_LOST)


class MentalHealthEligibility(EventContract):
    """Transfer 10: NHI eligibility to the Mental Health & Welfare Centre (精神保健福祉センター)
    for the certification of independence-support medical care (outpatient psychiatric)."""

    event_type = "jp.kokuho.feeds.mental_health_eligibility.v1"

    addressee_number: AddresseeNumber
    nhi_household_number: HouseholdNumber
    acquisition_date: AcquisitionDate = Field(description=_ACQUIRED)
    loss_date: LossDate = Field(description=_LOST)


class ResidentRegisterEligibility(EventContract):
    """Transfer 13: NHI eligibility to the Ward Administration Division (区政推進課) for the
    resident register's NHI entry (住民基本台帳法 第7条第10号)."""

    event_type = "jp.kokuho.feeds.resident_register_eligibility.v1"

    addressee_number: AddresseeNumber
    acquisition_date: AcquisitionDate = Field(description=_ACQUIRED)
    loss_date: LossDate = Field(description=_LOST)
