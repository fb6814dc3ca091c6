"""Public events of benefits.

Topic ``kokuho.benefits.events``
(general; partition key = the NHI household number, so that one household's events arrive in
order), and its dead-letter topic ``kokuho.benefits.events.dlq``.
Identifiers, dates, codes and amounts only: **no** names, addresses, phone numbers, individual
numbers or incomes. A breaking change is a new ``.v2`` class produced alongside this one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from kokuho.events.contracts.registry import EventContract

EVENTS_TOPIC = "kokuho.benefits.events"

AddresseeNumber = Annotated[str, Field(pattern=r"^[0-9]{10}$", description="宛名番号")]


class CopaymentRateDecided(EventContract):
    """The 70–74 一部負担金割合 and the household's 所得区分 for an August–July (rules.md §3.4),
    decided on ``income_year``'s income; eligibility prints the rate on the 資格確認書 / 資格情報の
    お知らせ of each listed 70–74 member. A later decision for the same household and income
    year supersedes this one."""

    event_type: ClassVar[str] = "jp.kokuho.benefits.copayment_rate_decided.v1"

    nhi_household_number: str = Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")
    income_year: int = Field(ge=2000, le=2100)
    effective_from: date = Field(description="August 1 after the income year")
    effective_to: date = Field(description="July 31 of the year after")
    under_70_category: Literal["a", "i", "u", "e", "o"] = Field(description="所得区分 ア–オ")
    elderly_category: (
        Literal["active_3", "active_2", "active_1", "general", "low_2", "low_1"] | None
    ) = Field(description="70–74 所得区分; none without a 70–74 member")
    copayment_rate_percent: Literal[20, 30] | None = Field(
        description="一部負担割合 of the listed 70–74 members"
    )
    addressee_numbers: list[AddresseeNumber] = Field(
        max_length=20, description="the household's 70–74 members"
    )
    decided_by: str = Field(
        min_length=1, max_length=200, description="the staff user, or system:<process> (C-24)"
    )
    decided_on: date
