"""Vault routes: register, resolve, look up by number, the C-17 confirmation list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kokuho.linkage_gateway.adapters.postgres_linkage import PostgresLinkageRecords
from kokuho.linkage_gateway.adapters.postgres_vault import PostgresVault
from kokuho.linkage_gateway.api.context import GatewayDep
from kokuho.linkage_gateway.api.pagination import decode_cursor, encode_cursor
from kokuho.linkage_gateway.api.schemas import (
    AddresseeNumber,
    Affair,
    ConfirmationOut,
    ConfirmationPage,
    LookupIn,
    LookupOut,
    NumberRegistrationIn,
    NumberRegistrationOut,
    ResolutionOut,
    VerificationIn,
    VerificationOut,
)
from kokuho.linkage_gateway.app import vault
from kokuho.linkage_gateway.app.intermediate import register_pending_replicas
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.domain.vault import NumberBoundToAnotherPerson, SecondNumberForPerson
from kokuho.platform.audit import AuditTrail, Outcome
from kokuho.platform.auth import StaffUser, require_roles
from kokuho.platform.idempotency import IdempotencyDep
from kokuho.platform.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["vault"])

REGISTRARS = ("linkage.operator", "eligibility.clerk")
RESOLVERS = ("linkage.operator", "eligibility.supervisor")


@router.post("/individual-numbers", status_code=201)
async def register_individual_number(
    body: NumberRegistrationIn,
    response: Response,
    user: Annotated[StaffUser, require_roles(*REGISTRARS)],
    gateway: GatewayDep,
    idem: IdempotencyDep,
    audit: AuditTrail,
) -> NumberRegistrationOut:
    """Bind an individual number to a person (check digit, J-LIS, C-17, C-75).

    201 when bound now, 200 when the same number was already bound to the person."""
    if not body.individual_number:
        # C-17: a blank number is not applied and goes on the confirmation list.
        async with gateway.pool().acquire() as conn:
            await PostgresVault(conn).report_for_confirmation(
                body.addressee_number, "BlankNumber", user.user_id
            )
    number = IndividualNumber(body.individual_number)  # blank: 422 invalid-individual-number
    try:
        async with gateway.pool().acquire() as conn, conn.transaction():
            await idem.begin(conn)
            result = await vault.register_number(
                PostgresVault(conn),
                gateway.sealer,
                gateway.identity,
                gateway.policy,
                addressee_number=body.addressee_number,
                number=number,
                affair=body.affair,
                roles=user.roles,
                at=gateway.clock(),
            )
            if result.created:
                # Replicas that waited for this person's number go out now (C-79).
                await register_pending_replicas(
                    PostgresLinkageRecords(conn),
                    gateway.server,
                    gateway.permits,
                    addressee_number=body.addressee_number,
                    integrated_addressee_number=result.binding.integrated_addressee_number,
                    at=gateway.clock(),
                )
            out = NumberRegistrationOut(
                addressee_number=result.binding.addressee_number,
                individual_number_masked=result.masked_number,
                bound_at=result.binding.bound_at,
                created=result.created,
            )
            status = 201 if result.created else 200
            await audit.record(
                subjects=[body.addressee_number],
                detail={"affair": body.affair, "created": result.created},
                status_code=status,
                conn=conn,
            )
            await idem.complete(conn, out, status_code=status)
    except (SecondNumberForPerson, NumberBoundToAnotherPerson) as refused:
        # C-17: not applied, and put on the confirmation list for staff.
        async with gateway.pool().acquire() as conn:
            await PostgresVault(conn).report_for_confirmation(
                body.addressee_number, type(refused).__name__, user.user_id
            )
        raise
    response.status_code = status
    return out


@router.get("/persons/{addressee_number}/individual-number")
async def resolve_individual_number(
    addressee_number: AddresseeNumber,
    affair: Annotated[Affair, Query(description="the number-using affair asking (C-01)")],
    user: Annotated[StaffUser, require_roles(*RESOLVERS)],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> ResolutionOut:
    """Resolve a person's number for a permitted affair's own subject (C-01, C-02).

    The number is answered masked; the full number only ever leaves through the adapters."""
    async with gateway.pool().acquire() as conn, conn.transaction():
        resolved = await vault.resolve_number(
            PostgresVault(conn),
            gateway.sealer,
            gateway.policy,
            addressee_number=addressee_number,
            affair=affair,
            roles=user.roles,
        )
        await audit.record(
            subjects=[addressee_number],
            detail={"affair": affair, "legal_basis": resolved.permit.legal_basis},
            conn=conn,
        )
    return ResolutionOut(
        addressee_number=addressee_number,
        integrated_addressee_number=resolved.binding.integrated_addressee_number,
        individual_number_masked=resolved.number.masked,
        affair=affair,
        legal_basis=resolved.permit.legal_basis,
        deceased=resolved.binding.deceased,
    )


@router.post("/individual-numbers/verifications")
async def verify_individual_number(
    body: VerificationIn,
    user: Annotated[StaffUser, require_roles(*REGISTRARS, *RESOLVERS)],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> VerificationOut:
    """C-22: check a number shown at the counter against the person's bound number."""
    number = IndividualNumber(body.individual_number)
    async with gateway.pool().acquire() as conn, conn.transaction():
        match = await vault.verify_number(
            PostgresVault(conn),
            gateway.sealer,
            gateway.policy,
            addressee_number=body.addressee_number,
            number=number,
            affair=body.affair,
            roles=user.roles,
        )
        await audit.record(
            subjects=[body.addressee_number],
            detail={"affair": body.affair, "match": match},
            conn=conn,
        )
    return VerificationOut(addressee_number=body.addressee_number, affair=body.affair, match=match)


@router.post("/individual-numbers/lookups")
async def look_up_by_individual_number(
    body: LookupIn,
    user: Annotated[StaffUser, require_roles(*RESOLVERS)],
    gateway: GatewayDep,
    audit: AuditTrail,
) -> LookupOut:
    """Which person holds this number (through the keyed index), for a permitted affair."""
    number = IndividualNumber(body.individual_number)
    async with gateway.pool().acquire() as conn, conn.transaction():
        try:
            binding = await vault.find_by_number(
                PostgresVault(conn),
                gateway.sealer,
                gateway.policy,
                number=number,
                affair=body.affair,
                roles=user.roles,
            )
        except vault.HolderNotASubject as refused:
            # Answered as if no one held it (C-02); the audit names the holder.
            await audit.record(
                subjects=[refused.addressee_number],
                outcome=Outcome.FAILED,
                detail={"affair": body.affair, "found": False, "reason": "not-a-subject"},
                status_code=404,
                conn=conn,
            )
            binding = None
        else:
            await audit.record(
                subjects=[binding.addressee_number] if binding else [],
                detail={"affair": body.affair, "found": binding is not None},
                status_code=200 if binding else 404,
                conn=conn,
            )
    if binding is None:
        raise Problem(404, "not-found", detail="No person holds this individual number.")
    return LookupOut(
        addressee_number=binding.addressee_number, individual_number_masked=number.masked
    )


@router.get("/binding-confirmations")
async def list_binding_confirmations(
    _user: Annotated[StaffUser, require_roles("linkage.operator")],
    gateway: GatewayDep,
    audit: AuditTrail,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> ConfirmationPage:
    """C-17: refused bindings waiting for staff confirmation."""
    after = decode_cursor(cursor)
    async with gateway.pool().acquire() as conn:
        rows = await conn.fetch(
            "SELECT id, addressee_number, rule, reported_at, reported_by"
            " FROM binding_confirmations WHERE resolved_at IS NULL AND id > $1"
            " ORDER BY id LIMIT $2",
            after,
            limit + 1,
        )
    items = [ConfirmationOut(**dict(r)) for r in rows[:limit]]
    await audit.record(subjects=sorted({i.addressee_number for i in items}))
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return ConfirmationPage(items=items, next_cursor=next_cursor)
