"""介護保険適用除外 (NHI-Q-33, issue 13) as counter changes: the request models and the
command builders of the change kinds ``record_care_exclusion`` and ``end_care_exclusion``
(four eyes like every change, ``app/change_kinds.py``). Confirmed, they publish
``CareInsuranceExclusionRecorded`` / ``CareInsuranceExclusionEnded``."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kokuho.eligibility.app.change_commands import Deciding
from kokuho.eligibility.app.requests import DateField
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain.household import Household
from kokuho.events.contracts.eligibility import CareExclusionFacilityKind
from kokuho.platform.models import RequestModel


class CareExclusionIn(RequestModel):
    """適用除外該当届: the facility (kind of 施行規則170条 and its name) and the period."""

    facility_kind: CareExclusionFacilityKind
    facility_name: str = Field(min_length=1, max_length=100, description="施設名")
    start_date: DateField = Field(description="入所日")
    end_date: DateField | None = Field(default=None, description="退所日 (None: still there)")


class CareExclusionEndIn(RequestModel):
    """適用除外非該当届: the member left the facility."""

    end_date: DateField = Field(description="退所日")


async def record(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.RecordCareExclusion(
        who, body.facility_kind, body.facility_name, body.start_date, body.end_date, d.ports.today()
    )


async def end(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.EndCareExclusion(who, body.end_date, d.ports.today())
