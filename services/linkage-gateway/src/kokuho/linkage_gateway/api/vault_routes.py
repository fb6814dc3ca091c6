"""Vault routes: register, resolve, verify, look up by number, the C-17 confirmation list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kokuho.linkage_gateway.api.deps import (
    GatewayDep,
    Operator,
    ReadDep,
    Registrar,
    Resolver,
    UnitsDep,
    Verifier,
    WriteDep,
)
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
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.platform.pagination import NUMBER_POSITION, decode_cursor, encode_cursor
from kokuho.platform.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["vault"])


@router.post("/individual-numbers", status_code=201)
async def register_individual_number(
    body: NumberRegistrationIn,
    user: Registrar,
    ports: GatewayDep,
    units: UnitsDep,
    write: WriteDep,
) -> NumberRegistrationOut:
    """Bind an individual number to a person (check digit, J-LIS, C-17, C-75).

    201 when bound now, 200 when the same number was already bound to the person."""
    command = vault.RegisterNumber(
        addressee_number=body.addressee_number,
        individual_number=body.individual_number,
        affair=body.affair,
        user_id=user.user_id,
        roles=user.roles,
        at=ports.clock(),
    )
    return await write.run(
        lambda uow: vault.register_number(uow, units, ports, command),
        lambda r: NumberRegistrationOut(
            addressee_number=r.binding.addressee_number,
            individual_number_masked=r.masked_number,
            bound_at=r.binding.bound_at,
            created=r.created,
        ),
        status_code=lambda r: 201 if r.created else 200,
    )


@router.get("/persons/{addressee_number}/individual-number")
async def resolve_individual_number(
    addressee_number: AddresseeNumber,
    affair: Annotated[Affair, Query(description="the number-using affair asking (C-01)")],
    user: Resolver,
    ports: GatewayDep,
    read: ReadDep,
) -> ResolutionOut:
    """Resolve a person's number for a permitted affair's own subject (C-01, C-02).

    The number is answered masked; the full number only ever leaves through the adapters."""
    command = vault.ResolveNumber(addressee_number, affair, user.roles)
    return await read.run(
        lambda uow: vault.resolve_number(uow, ports, command),
        lambda r: ResolutionOut(
            addressee_number=addressee_number,
            integrated_addressee_number=r.binding.integrated_addressee_number,
            individual_number_masked=r.number.masked,
            affair=affair,
            legal_basis=r.permit.legal_basis,
            deceased=r.binding.deceased,
        ),
    )


@router.post("/individual-numbers/verifications")
async def verify_individual_number(
    body: VerificationIn, user: Verifier, ports: GatewayDep, read: ReadDep
) -> VerificationOut:
    """C-22: check a number shown at the counter against the person's bound number."""
    command = vault.VerifyNumber(
        body.addressee_number, body.individual_number, body.affair, user.roles
    )
    return await read.run(
        lambda uow: vault.verify_number(uow, ports, command),
        lambda match: VerificationOut(
            addressee_number=body.addressee_number, affair=body.affair, match=match
        ),
    )


@router.post("/individual-numbers/lookups")
async def look_up_by_individual_number(
    body: LookupIn, user: Resolver, ports: GatewayDep, read: ReadDep
) -> LookupOut:
    """Which person holds this number (through the keyed index), for a permitted affair; the
    same 404 when no one does and when the holder is not the affair's subject (C-02)."""
    command = vault.LookUpNumber(body.individual_number, body.affair, user.roles)
    found = await read.run(lambda uow: vault.look_up_number(uow, ports, command), lambda b: b)
    if found is None:  # the audit record of the miss is committed with the read
        raise Problem(404, "not-found", detail="No person holds this individual number.")
    masked = IndividualNumber(body.individual_number).masked
    return LookupOut(addressee_number=found.addressee_number, individual_number_masked=masked)


@router.get("/binding-confirmations")
async def list_binding_confirmations(
    _user: Operator,
    read: ReadDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> ConfirmationPage:
    """C-17: refused bindings waiting for staff confirmation."""
    after = int(decode_cursor(cursor, position=NUMBER_POSITION) or 0)
    page, more = await read.run(
        lambda uow: vault.binding_confirmations(uow, limit=limit, after=after), lambda r: r
    )
    items = [ConfirmationOut.model_validate(c) for c in page]
    return ConfirmationPage(
        items=items, next_cursor=encode_cursor(items[-1].id) if more and items else None
    )
