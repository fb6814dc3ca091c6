"""REST API for counter applications (design/api.md). Every route names its roles; every read
or change of a person's data is audited inside the transaction that does it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from kokuho.eligibility.adapters import queries
from kokuho.eligibility.adapters.postgres import PostgresUnit
from kokuho.eligibility.api.runtime import runtime_of
from kokuho.eligibility.api.schemas import ChangeOut, JobOut, Page
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.service import Outcome
from kokuho.platform.audit import AuditTrail
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.idempotency import IdempotencyDep
from kokuho.platform.problems import FieldError, Problem

CLERK = "eligibility.clerk"
SUPERVISOR = "eligibility.supervisor"
AUDITOR = "auditor"
BATCH = "batch.operator"

router = APIRouter(prefix="/api/v1", tags=["eligibility"])

HouseholdNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="国保世帯番号")]
AddresseeNumber = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="宛名番号")]
Limit = Annotated[int, Query(ge=1, le=200)]
Staff = Annotated[StaffUser, require_roles(CLERK, SUPERVISOR)]


async def _write(
    request: Request,
    idem: Any,
    audit: Any,
    work: Callable[[PostgresUnit], Awaitable[Outcome]],
    status_code: int,
) -> ChangeOut:
    runtime = runtime_of(request)
    async with runtime.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        outcome = await work(runtime.unit(conn))
        out = ChangeOut.of(outcome)
        await audit.record(
            subjects=list(outcome.subjects),
            detail={
                "change_id": str(outcome.change_id),
                "kind": outcome.kind,
                "status": outcome.status,
            },
            conn=conn,
        )
        await idem.complete(conn, out, status_code=status_code)
    return out


async def _enter(
    request: Request,
    idem: Any,
    audit: Any,
    user: StaffUser,
    kind: str,
    body: Any,
    **keys: str,
) -> ChangeOut:
    """Enter a counter change of ``kind`` (pending until a second clerk confirms it)."""
    service = runtime_of(request).service
    return await _write(
        request,
        idem,
        audit,
        lambda u: service.enter(u, kind, body, user_id=user.user_id, **keys),
        201,
    )


# --- entering changes (pending until a second clerk confirms, C-11) --------------------------


@router.post("/households", status_code=201, summary="Register a household with its members")
async def register_household(
    body: rq.RegisterHouseholdIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    return await _enter(request, idem, audit, user, "register_household", body)


@router.post("/households/{household_number}/acquisitions", status_code=201)
async def acquire(
    household_number: HouseholdNumber,
    body: rq.AcquisitionIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    """資格取得 (a member joins an existing household)."""
    return await _enter(
        request, idem, audit, user, "acquire", body, household_number=household_number
    )


@router.post("/households/{household_number}/losses", status_code=201)
async def lose(
    household_number: HouseholdNumber,
    body: rq.LossIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    """資格喪失."""
    return await _enter(request, idem, audit, user, "lose", body, household_number=household_number)


@router.post("/households/{household_number}/householder", status_code=201)
async def change_householder(
    household_number: HouseholdNumber,
    body: rq.HouseholderIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    """世帯主変更."""
    return await _enter(
        request, idem, audit, user, "change_householder", body, household_number=household_number
    )


@router.post("/households/{household_number}/split", status_code=201)
async def split_household(
    household_number: HouseholdNumber,
    body: rq.SplitIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    """世帯分離: members leave for a new household (pending)."""
    return await _enter(
        request, idem, audit, user, "split_household", body, household_number=household_number
    )


@router.post("/households/{household_number}/merge", status_code=201)
async def merge_household(
    household_number: HouseholdNumber,
    body: rq.MergeIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    """世帯合併: this household's members join another household (pending)."""
    return await _enter(
        request, idem, audit, user, "merge_household", body, household_number=household_number
    )


def _member_change(kind: str, body_type: type[rq.Strict], summary: str) -> None:
    async def enter_member_change(
        household_number: HouseholdNumber,
        addressee_number: AddresseeNumber,
        request: Request,
        user: Staff,
        idem: IdempotencyDep,
        audit: AuditTrail,
        body: Any,
    ) -> ChangeOut:
        service = runtime_of(request).service
        return await _write(
            request,
            idem,
            audit,
            lambda u: service.enter(
                u,
                kind,
                body,
                user_id=user.user_id,
                household_number=household_number,
                addressee_number=addressee_number,
            ),
            201,
        )

    enter_member_change.__annotations__["body"] = body_type
    enter_member_change.__name__ = kind
    path = {
        "change_relationship": "relationship",
        "change_personal_details": "personal-details",
        "correct_qualification": "corrections",
        "start_special_case": "special-cases",
        "end_special_case": "special-cases/end",
        "record_involuntary_unemployment": "involuntary-unemployment",
        "change_former_dependant": "former-dependant",
        "record_retiree_status": "retiree-status",
        "start_residence_exception": "residence-exception",
    }[kind]
    router.add_api_route(
        f"/households/{{household_number}}/members/{{addressee_number}}/{path}",
        enter_member_change,
        methods=["POST"],
        status_code=201,
        summary=summary,
        response_model=ChangeOut,
    )


_member_change("change_relationship", rq.RelationshipIn, "続柄変更")
_member_change("change_personal_details", rq.PersonalDetailsIn, "氏名・住所等の変更")
_member_change("correct_qualification", rq.CorrectionIn, "職権訂正 (C-24, reason required)")
_member_change("start_special_case", rq.SpecialCaseIn, "住所地特例・修学の開始")
_member_change("end_special_case", rq.SpecialCaseEndIn, "住所地特例・修学の終了")
_member_change("record_involuntary_unemployment", rq.UnemploymentIn, "非自発的失業者の記録")
_member_change("change_former_dependant", rq.FormerDependantIn, "旧被扶養者の記録")
_member_change("record_retiree_status", rq.RetireeIn, "退職情報 (退職被保険者等) の記録")
_member_change(
    "start_residence_exception",
    rq.ResidenceExceptionIn,
    "住所地特例: the member leaves for a one-person household of their own (rules.md 5.2)",
)


# --- four eyes --------------------------------------------------------------------------


@router.post("/changes/{change_id}/confirm")
async def confirm_change(
    change_id: UUID,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    """A different clerk confirms the entry against the form (C-11); the entering clerk gets 403."""
    service = runtime_of(request).service
    return await _write(
        request, idem, audit, lambda u: service.confirm(u, change_id, user_id=user.user_id), 200
    )


@router.post("/changes/{change_id}/reject")
async def reject_change(
    change_id: UUID,
    body: rq.RejectIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    service = runtime_of(request).service
    return await _write(
        request,
        idem,
        audit,
        lambda u: service.reject(u, change_id, user_id=user.user_id, reason=body.reason),
        200,
    )


@router.get("/changes/{change_id}")
async def get_change(
    change_id: UUID, request: Request, user: Staff, audit: AuditTrail
) -> dict[str, Any]:
    async with runtime_of(request).pool().acquire() as conn:
        found = await queries.change(conn, change_id)
        if found is None:
            raise Problem(404, "change-not-found", detail=f"change {change_id} does not exist")
        await audit.record(subjects=list(found["subjects"]), detail={"change_id": str(change_id)})
    return found


@router.get("/changes")
async def list_pending_changes(
    request: Request, user: Staff, audit: AuditTrail, limit: Limit = 50, cursor: str | None = None
) -> Page:
    after = _after(cursor)
    async with runtime_of(request).pool().acquire() as conn:
        items = await queries.pending_changes(conn, limit, after)
    subjects = sorted({s for i in items for s in i["subjects"]})
    await audit.record(subjects=subjects, detail={"listed": len(items)})
    last = str(items[-1]["change_id"]) if len(items) == limit else None
    return Page(items=items, next_cursor=queries.encode_cursor({"after": last}) if last else None)


def _after(cursor: str | None, key: str = r"[0-9a-f-]{36}") -> str | None:
    """The position a cursor this API returned stands for; ``key`` is the form of that
    position (a change or event id, or an addressee number), so a forged cursor is a 400 and
    never reaches PostgreSQL."""
    if cursor is None:
        return None
    decoded = queries.decode_cursor(cursor)
    after = decoded.get("after") if decoded is not None else None
    if not isinstance(after, str) or re.fullmatch(key, after) is None:
        raise Problem(400, "invalid-cursor", detail="cursor is not one this API returned")
    return after


@router.get("/federation-reviews")
async def list_federation_reviews(
    request: Request, user: Staff, audit: AuditTrail, limit: Limit = 50, cursor: str | None = None
) -> Page:
    """Persons the federation's 資格継続 file knows and eligibility does not (to take up at the
    counter); differences for known persons arrive as pending corrections instead."""
    after = _after(cursor)
    async with runtime_of(request).pool().acquire() as conn:
        items = await queries.federation_reviews(conn, limit, after)
    await audit.record(
        subjects=sorted({i["addressee_number"] for i in items}), detail={"listed": len(items)}
    )
    last = str(items[-1]["event_id"]) if len(items) == limit else None
    return Page(items=items, next_cursor=queries.encode_cursor({"after": last}) if last else None)


# --- reads (audited, C-18: no individual numbers exist here) -----------------------------------


@router.get("/persons/{addressee_number}")
async def get_person(
    addressee_number: AddresseeNumber, request: Request, user: Staff, audit: AuditTrail
) -> dict[str, Any]:
    async with runtime_of(request).pool().acquire() as conn:
        found = await queries.person(conn, addressee_number)
    await audit.record(
        subjects=[addressee_number], detail={"found": found is not None, "view": "person"}
    )
    if found is None:
        raise Problem(404, "person-not-found", detail=f"addressee {addressee_number} is not known")
    return found


@router.post("/persons/{addressee_number}/erasure")
async def erase_person(
    addressee_number: AddresseeNumber,
    body: rq.ErasureIn,
    request: Request,
    user: Annotated[StaffUser, require_roles(SUPERVISOR)],
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> dict[str, Any]:
    """Erase a person's details after the retention period (C-95); a tombstone goes to the
    compacted personal-details topic. Identifiers, dates and events stay."""
    runtime = runtime_of(request)
    async with runtime.pool().acquire() as conn, conn.transaction():
        await idem.begin(conn)
        erased = await runtime.service.erase_person(
            runtime.unit(conn), addressee_number, reason=body.reason, user_id=user.user_id
        )
        out = {"addressee_number": addressee_number, "erased": erased}
        await audit.record(subjects=[addressee_number], detail={"erasure": erased}, conn=conn)
        await idem.complete(conn, out, status_code=200)
    return out


@router.get("/persons")
async def search_persons(
    request: Request,
    user: Staff,
    audit: AuditTrail,
    name_kana: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=rq.KANA_PATTERN,
            description="フリガナ prefix (full-width katakana, as stored)",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: str | None = None,
) -> Page:
    after = _after(cursor, key=r"[0-9]{10}")
    async with runtime_of(request).pool().acquire() as conn:
        items = await queries.search_persons(conn, name_kana, limit, after)
    await audit.record(
        subjects=[i["addressee_number"] for i in items], detail={"search": "name_kana"}
    )
    last = items[-1]["addressee_number"] if len(items) == limit else None
    return Page(items=items, next_cursor=queries.encode_cursor({"after": last}) if last else None)


@router.get("/households/{household_number}")
async def get_household(
    household_number: HouseholdNumber,
    request: Request,
    user: Staff,
    audit: AuditTrail,
    as_of: Annotated[date | None, Query(description="the household as of this date")] = None,
) -> dict[str, Any]:
    async with runtime_of(request).pool().acquire() as conn:
        found = await queries.household(conn, household_number, as_of)
    if found is None:
        await audit.record(subjects=[], detail={"household": household_number, "found": False})
        raise Problem(404, "household-not-found", detail=f"household {household_number} unknown")
    subjects = [m["addressee_number"] for m in found["members"]]
    subjects.append(found["householder_addressee_number"])
    await audit.record(
        subjects=sorted(set(subjects)),
        detail={"household": household_number, "as_of": str(as_of) if as_of else None},
    )
    return found


@router.get("/households/{household_number}/history")
async def get_household_history(
    household_number: HouseholdNumber,
    request: Request,
    user: Annotated[StaffUser, require_roles(CLERK, SUPERVISOR, AUDITOR)],
    audit: AuditTrail,
) -> list[dict[str, Any]]:
    async with runtime_of(request).pool().acquire() as conn:
        history = await queries.household_history(conn, household_number)
    if not history:
        await audit.record(subjects=[], detail={"household": household_number, "found": False})
        raise Problem(404, "household-not-found", detail=f"household {household_number} unknown")
    subjects = {
        str(h["data"][k])
        for h in history
        for k in ("addressee_number", "householder_addressee_number")
        if k in h["data"]
    }
    await audit.record(subjects=sorted(subjects), detail={"household": household_number})
    return history


# --- certificates ----------------------------------------------------------------------------


@router.post("/households/{household_number}/certificates", status_code=201)
async def issue_certificate(
    household_number: HouseholdNumber,
    body: rq.CertificateIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    """Issue or reissue 資格確認書, 資格情報のお知らせ or 高齢受給者証 (acts at once), or enter
    the record of a 限度額適用認定証 / 減額認定証 / 特定疾病療養受療証 (pending until a second
    clerk confirms it, C-11)."""
    service = runtime_of(request).service
    return await _write(
        request,
        idem,
        audit,
        lambda u: service.issue_certificate(u, household_number, body, user_id=user.user_id),
        201,
    )


@router.post("/households/{household_number}/certificates/{certificate_id}/collect")
async def collect_certificate(
    household_number: HouseholdNumber,
    certificate_id: UUID,
    body: rq.CollectIn,
    request: Request,
    user: Staff,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> ChangeOut:
    service = runtime_of(request).service
    return await _write(
        request,
        idem,
        audit,
        lambda u: service.collect_certificate(
            u, household_number, str(certificate_id), body, user_id=user.user_id
        ),
        200,
    )


@router.get("/certificates/{certificate_id}")
async def get_certificate(
    certificate_id: UUID, request: Request, user: Staff, audit: AuditTrail
) -> dict[str, Any]:
    async with runtime_of(request).pool().acquire() as conn:
        found = await queries.certificate(conn, certificate_id)
    if found is None:
        await audit.record(subjects=[], detail={"certificate": str(certificate_id), "found": False})
        raise Problem(404, "certificate-not-found", detail=f"certificate {certificate_id} unknown")
    await audit.record(
        subjects=[found["addressee_number"]], detail={"certificate": str(certificate_id)}
    )
    return found


@router.get(
    "/certificates/{certificate_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def get_certificate_pdf(
    certificate_id: UUID, request: Request, user: Staff, audit: AuditTrail
) -> Response:
    from kokuho.eligibility.adapters.pdf import render_certificate

    async with runtime_of(request).pool().acquire() as conn:
        found = await queries.certificate(conn, certificate_id)
    if found is None:
        await audit.record(subjects=[], detail={"certificate": str(certificate_id), "found": False})
        raise Problem(404, "certificate-not-found", detail=f"certificate {certificate_id} unknown")
    await audit.record(
        subjects=[found["addressee_number"]],
        detail={"certificate": str(certificate_id), "rendered": "pdf"},
    )
    return Response(render_certificate(found), media_type="application/pdf")


# --- batch -----------------------------------------------------------------------------------


@router.post("/jobs/copayment-rates")
async def run_copayment_rates(
    body: rq.JobIn,
    request: Request,
    user: Annotated[StaffUser, require_roles(BATCH)],
    audit: AuditTrail,
) -> JobOut:
    """Give 70-74 members the co-payment rate of the period containing ``as_of``."""
    from kokuho.eligibility.jobs import copayment_rates

    runtime = runtime_of(request)
    result = await copayment_rates(runtime.pool(), runtime.service, body.as_of, runtime.topics)
    await audit.record(
        subjects=result.subjects, detail={"job": "copayment-rates", "as_of": str(body.as_of)}
    )
    return JobOut(
        as_of=str(body.as_of),
        candidates=result.candidates,
        processed=result.processed,
        failed=result.failed,
    )


@router.post("/jobs/turning-75")
async def run_turning_75(
    body: rq.JobIn,
    request: Request,
    user: Annotated[StaffUser, require_roles(BATCH)],
    audit: AuditTrail,
) -> JobOut:
    """The daily job: end NHI for everyone whose 75th birthday is on or before ``as_of``
    (at most a month ahead, so that a mistyped year cannot end the city's NHI in advance)."""
    from kokuho.eligibility.jobs import TURNING_75_MAX_LEAD, turning_75

    runtime = runtime_of(request)
    latest = runtime.service.today() + TURNING_75_MAX_LEAD
    if body.as_of > latest:
        raise Problem(
            422,
            "as-of-too-far-ahead",
            detail=f"as_of may be at most {TURNING_75_MAX_LEAD.days} days ahead ({latest})",
            errors=[FieldError(pointer="/body/as_of", reason=f"later than {latest}")],
        )
    result = await turning_75(runtime.pool(), runtime.service, body.as_of, runtime.topics)
    await audit.record(
        subjects=result.subjects, detail={"job": "turning-75", "as_of": str(body.as_of)}
    )
    return JobOut(
        as_of=str(body.as_of),
        candidates=result.candidates,
        processed=result.processed,
        failed=result.failed,
    )
