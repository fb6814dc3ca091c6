"""口座振替 and 特別徴収: registrations (four eyes), the monthly debit request file, the bank's
result file and the pension insurer's results file."""

from __future__ import annotations

from fastapi import APIRouter

from kokuho.collection.api.deps import Clerk, CollectionDep, Household, Operator, WriteDep
from kokuho.collection.api.payments import _import_out
from kokuho.collection.api.schemas import (
    DebitFileIn,
    DebitRegistrationIn,
    DebitRegistrationOut,
    DebitRequestIn,
    DebitRequestOut,
    PaymentImportIn,
    PaymentImportOut,
)
from kokuho.collection.app import debits, pension
from kokuho.collection.app.payments import PaymentFileRefused
from kokuho.collection.domain import zengin
from kokuho.collection.domain.direct_debit import AccountInvalid, DebitAccount
from kokuho.platform.problems import FieldError, Problem

router = APIRouter(prefix="/api/v1", tags=["direct debit and pension deduction"])


def refused_problem(slug: str, refused: PaymentFileRefused) -> Problem:
    return Problem(
        422,
        slug,
        detail=str(refused),
        errors=[
            FieldError(
                pointer=f"/body/content/line/{r.line}",
                reason=f"{r.field}: {r.reason}" if r.field else r.reason,
            )
            for r in refused.refused[:1000]
        ],
    )


def _registration_out(a: DebitAccount) -> DebitRegistrationOut:
    return DebitRegistrationOut(
        registration_id=a.registration_id,
        status=a.status,
        bank_code=a.bank_code,
        bank_name=a.bank_name,
        branch_code=a.branch_code,
        branch_name=a.branch_name,
        account_number_last4=a.account_number[-4:],
        holder_kana=a.holder_kana,
    )


@router.post("/households/{household}/debit-registrations", status_code=201)
async def register_account(
    household: Household,
    body: DebitRegistrationIn,
    user: Clerk,
    ports: CollectionDep,
    write: WriteDep,
) -> DebitRegistrationOut:
    """A 口座振替依頼書 keyed in: bank and branch checked against the Zengin code list, the
    holder normalised to half-width kana; pending until another person confirms it (C-11)."""
    command = debits.RegisterAccount(
        household,
        body.bank_code,
        body.branch_code,
        body.account_type,
        body.account_number,
        body.holder,
        user.user_id,
        ports.today(),
    )
    try:
        return await write.run(
            lambda uow: debits.register(uow, ports, command), _registration_out, status_code=201
        )
    except AccountInvalid as exc:
        raise Problem(
            422,
            "account-invalid",
            detail=str(exc),
            errors=[FieldError(pointer=f"/body/{exc.field}", reason=str(exc))] if exc.field else [],
        ) from None


@router.post("/households/{household}/debit-registrations/{registration_id}/confirmation")
async def confirm_account(
    household: Household, registration_id: str, user: Clerk, ports: CollectionDep, write: WriteDep
) -> DebitRegistrationOut:
    """By a person other than the one who keyed it in (403 ``same-staff-confirming``); the
    household's previous account is kept, marked replaced."""
    return await write.run(
        lambda uow: debits.decide(
            uow, household, registration_id, user.user_id, ports.today(), True
        ),
        _registration_out,
    )


@router.post("/households/{household}/debit-registrations/{registration_id}/rejection")
async def reject_account(
    household: Household, registration_id: str, user: Clerk, ports: CollectionDep, write: WriteDep
) -> DebitRegistrationOut:
    return await write.run(
        lambda uow: debits.decide(
            uow, household, registration_id, user.user_id, ports.today(), False
        ),
        _registration_out,
    )


def _request_out(r: debits.RequestFile) -> DebitRequestOut:
    return DebitRequestOut(
        request_id=r.request.request_id,
        debit_on=r.request.debit_on,
        count=r.request.count,
        total=r.request.total,
        encoding=zengin.ENCODING,
        content=r.content,
        replayed=r.replayed,
    )


@router.post("/direct-debits/requests", status_code=201)
async def debit_request(
    body: DebitRequestIn, user: Operator, ports: CollectionDep, write: WriteDep
) -> DebitRequestOut:
    """The month's debit request file (Zengin 120 bytes) for every instalment owed and due
    on ``debit_on``; the same day again gives the same file (200, ``replayed``)."""
    return await write.run(
        lambda uow: debits.request_file(uow, ports, body.debit_on, user.user_id),
        _request_out,
        status_code=lambda r: 200 if r.replayed else 201,
    )


@router.post("/direct-debits/results", status_code=201)
async def debit_results(
    body: DebitFileIn, user: Operator, ports: CollectionDep, write: WriteDep
) -> PaymentImportOut:
    """The bank's result file: debited lines paid (channel ``direct_debit``), failed ones a
    ``DirectDebitFailed`` and a slip on the work list. Refused lines: 422
    ``debit-file-refused`` naming each (nothing applied) unless ``apply_valid_part``."""
    try:
        content = body.content.encode(zengin.ENCODING)
    except UnicodeEncodeError as exc:
        raise Problem(
            422,
            "debit-file-refused",
            detail="the file holds characters outside JIS (cp932)",
            errors=[FieldError(pointer="/body/content", reason=str(exc.reason))],
        ) from None
    command = debits.ImportDebitResults(
        body.file_name, content, body.apply_valid_part, user.user_id, ports.today()
    )
    try:
        return await write.run(
            lambda uow: debits.import_results(uow, ports, command),
            _import_out,
            status_code=lambda o: 200 if o.replayed else 201,
        )
    except PaymentFileRefused as refused:
        raise refused_problem("debit-file-refused", refused) from None


@router.post("/pension-deductions/results", status_code=201)
async def pension_results(
    body: PaymentImportIn, user: Operator, ports: CollectionDep, write: WriteDep
) -> PaymentImportOut:
    """The pension insurer's results file (README): deducted lines paid (channel
    ``pension``), stopped ones moved to ordinary collection with a slip."""
    command = pension.ImportPensionResults(
        body.file_name, body.content, body.apply_valid_part, user.user_id, ports.today()
    )
    try:
        return await write.run(
            lambda uow: pension.import_results(uow, ports.rules, command),
            _import_out,
            status_code=lambda o: 200 if o.replayed else 201,
        )
    except PaymentFileRefused as refused:
        raise refused_problem("pension-file-refused", refused) from None
