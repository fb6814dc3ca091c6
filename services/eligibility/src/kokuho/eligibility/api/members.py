"""Changes of one member of a household (pending until a second clerk confirms, C-11): one
route per kind, from a table of (kind, path, request model, summary)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kokuho.eligibility.api.changes import enter
from kokuho.eligibility.api.deps import (
    AddresseeNumber,
    EligibilityDep,
    HouseholdNumber,
    Staff,
    WriteDep,
)
from kokuho.eligibility.api.schemas import (
    ChangeOut,
    CorrectionIn,
    FormerDependantIn,
    PersonalDetailsIn,
    RelationshipIn,
    ResidenceExceptionIn,
    RetireeIn,
    SpecialCaseEndIn,
    SpecialCaseIn,
    UnemploymentIn,
)
from kokuho.eligibility.app.care_exclusion import CareExclusionEndIn, CareExclusionIn
from kokuho.platform.models import RequestModel

router = APIRouter(prefix="/api/v1", tags=["eligibility"])

MEMBER_CHANGES: list[tuple[str, str, type[RequestModel], str]] = [
    ("change_relationship", "relationship", RelationshipIn, "続柄変更"),
    ("change_personal_details", "personal-details", PersonalDetailsIn, "氏名・住所等の変更"),
    ("correct_qualification", "corrections", CorrectionIn, "職権訂正 (C-24, reason required)"),
    ("start_special_case", "special-cases", SpecialCaseIn, "住所地特例・修学の開始"),
    ("end_special_case", "special-cases/end", SpecialCaseEndIn, "住所地特例・修学の終了"),
    (
        "record_involuntary_unemployment",
        "involuntary-unemployment",
        UnemploymentIn,
        "非自発的失業者の記録",
    ),
    ("change_former_dependant", "former-dependant", FormerDependantIn, "旧被扶養者の記録"),
    ("record_retiree_status", "retiree-status", RetireeIn, "退職情報 (退職被保険者等) の記録"),
    (
        "start_residence_exception",
        "residence-exception",
        ResidenceExceptionIn,
        "住所地特例: the member leaves for a one-person household of their own (rules.md 5.2)",
    ),
    (
        "record_care_exclusion",
        "care-insurance-exclusion",
        CareExclusionIn,
        "介護保険適用除外の記録 (適用除外施設への入所; no 介護分 for its months)",
    ),
    (
        "end_care_exclusion",
        "care-insurance-exclusion/end",
        CareExclusionEndIn,
        "介護保険適用除外の終了 (退所)",
    ),
]


def _member_change(kind: str, path: str, body_type: type[RequestModel], summary: str) -> None:
    async def enter_member_change(
        household_number: HouseholdNumber,
        addressee_number: AddresseeNumber,
        user: Staff,
        ports: EligibilityDep,
        write: WriteDep,
        body: Any,
    ) -> ChangeOut:
        return await enter(write, ports, user, kind, body, household_number, addressee_number)

    enter_member_change.__annotations__["body"] = body_type
    enter_member_change.__name__ = kind
    router.add_api_route(
        f"/households/{{household_number}}/members/{{addressee_number}}/{path}",
        enter_member_change,
        methods=["POST"],
        status_code=201,
        summary=summary,
        response_model=ChangeOut,
    )


for _kind, _path, _body, _summary in MEMBER_CHANGES:
    _member_change(_kind, _path, _body, _summary)
