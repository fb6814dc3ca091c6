"""Vault use cases: bind, resolve, verify and look up a number, the C-17 confirmation list.

Each enters the unit of work itself, decides with the domain's rules and records its audit
(C-45); the plain number lives only in memory here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kokuho.linkage_gateway.app.intermediate import register_pending_replicas
from kokuho.linkage_gateway.app.ports import (
    GatewayUnitPort,
    IdentityService,
    NumberSealer,
    Ports,
    UnitOpener,
)
from kokuho.linkage_gateway.app.records import Confirmation, VaultRepository
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.domain.resolution import (
    AffairPermit,
    ResolutionNotPermitted,
    ResolutionPolicy,
)
from kokuho.linkage_gateway.domain.vault import (
    Binding,
    BindNumber,
    NoNumberBound,
    NumberBoundToAnotherPerson,
    PersonDied,
    SecondNumberForPerson,
    decide_binding,
    evolve,
)
from kokuho.platform.audit import Outcome


@dataclass(frozen=True)
class Registration:
    binding: Binding
    masked_number: str
    created: bool


@dataclass(frozen=True)
class Resolution:
    binding: Binding
    number: IndividualNumber
    permit: AffairPermit


@dataclass(frozen=True)
class RegisterNumber:
    addressee_number: str
    individual_number: str = field(repr=False)  # as typed; blank goes on the C-17 list
    affair: str
    user_id: str
    roles: frozenset[str]
    at: datetime


@dataclass(frozen=True)
class ResolveNumber:
    addressee_number: str
    affair: str
    roles: frozenset[str]


@dataclass(frozen=True)
class VerifyNumber:
    addressee_number: str
    individual_number: str = field(repr=False)
    affair: str
    roles: frozenset[str]


@dataclass(frozen=True)
class LookUpNumber:
    individual_number: str = field(repr=False)
    affair: str
    roles: frozenset[str]


async def register_number(
    uow: GatewayUnitPort, open_unit: UnitOpener, ports: Ports, command: RegisterNumber
) -> Registration:
    """Bind the number to the person (check digit, J-LIS, C-17, C-75); replicas that waited
    for it go out (C-79). A refused binding is put on the confirmation list (``open_unit``:
    committed although the request's own transaction rolls back)."""
    if not command.individual_number:
        await _report(open_unit, command, "BlankNumber")
    number = IndividualNumber(command.individual_number)  # blank: 422 invalid-individual-number
    try:
        async with uow:
            result = await bind_number(
                uow.vault,
                ports.sealer,
                ports.identity,
                ports.policy,
                addressee_number=command.addressee_number,
                number=number,
                affair=command.affair,
                roles=command.roles,
                at=command.at,
            )
            if result.created:
                await register_pending_replicas(
                    uow.linkage,
                    ports.server,
                    ports.permits,
                    addressee_number=command.addressee_number,
                    integrated_addressee_number=result.binding.integrated_addressee_number,
                    at=command.at,
                )
            await uow.audit.record(
                subjects=[command.addressee_number],
                detail={"affair": command.affair, "created": result.created},
                status_code=201 if result.created else 200,
            )
            return result
    except (SecondNumberForPerson, NumberBoundToAnotherPerson) as refused:
        await _report(open_unit, command, type(refused).__name__)
        raise


async def _report(open_unit: UnitOpener, command: RegisterNumber, rule: str) -> None:
    """C-17: not applied, and put on the confirmation list for staff."""
    async with open_unit() as side:
        await side.vault.report_for_confirmation(command.addressee_number, rule, command.user_id)


async def bind_number(
    repo: VaultRepository,
    sealer: NumberSealer,
    identity: IdentityService,
    policy: ResolutionPolicy,
    *,
    addressee_number: str,
    number: IndividualNumber,
    affair: str,
    roles: frozenset[str],
    at: datetime,
) -> Registration:
    """The binding itself, inside the caller's transaction (also the demo seed's)."""
    policy.may_register(affair=affair, roles=roles, addressee_number=addressee_number)
    index = sealer.index(number)
    person = await repo.binding_of(addressee_number)
    holder = await repo.holder_of(sealer.indexes(number))
    # J-LIS is asked, and an integrated addressee number issued, only for a binding that the
    # rules would make; a refusal costs neither.
    fresh = person is None and holder is None
    authenticity = await identity.confirm(number) if fresh else None
    command = BindNumber(
        addressee_number=addressee_number,
        number_index=index,
        authentic=authenticity.authentic if authenticity else True,
        authenticity_reason=authenticity.reason if authenticity else "",
        new_integrated_addressee_number=(
            await repo.next_integrated_addressee_number() if fresh else ""
        ),
        at=at,
    )
    events = decide_binding(person, holder, command)
    if not events:
        assert person is not None
        await repo.add_subject(addressee_number, affair)
        return Registration(person, number.masked, created=False)
    binding = None
    for event in events:
        binding = evolve(binding, event)
    assert binding is not None
    await repo.record(events, sealer.seal(number, addressee_number=addressee_number))
    await repo.add_subject(addressee_number, affair)
    return Registration(binding, number.masked, created=True)


async def resolve_number(uow: GatewayUnitPort, ports: Ports, command: ResolveNumber) -> Resolution:
    """Addressee number -> individual number, only for a permitted affair's own subject
    (C-01, C-02); answered masked by the API."""
    who, affair = command.addressee_number, command.affair
    async with uow:
        permit = ports.policy.check(
            addressee_number=who,
            affair=affair,
            roles=command.roles,
            subject_affairs=await uow.vault.subject_affairs(who),
        )
        binding = await uow.vault.binding_of(who)
        sealed = await uow.vault.sealed_of(who)
        if binding is None or sealed is None:
            raise NoNumberBound(who)
        number = ports.sealer.open(sealed, addressee_number=who)
        await uow.audit.record(
            subjects=[who], detail={"affair": affair, "legal_basis": permit.legal_basis}
        )
        return Resolution(binding, number, permit)


async def verify_number(uow: GatewayUnitPort, ports: Ports, command: VerifyNumber) -> bool:
    """C-22: is this the person's number? Compared through the keyed index: the stored number
    is neither opened nor returned, and only match or mismatch is answered."""
    number = IndividualNumber(command.individual_number)
    who, affair = command.addressee_number, command.affair
    async with uow:
        ports.policy.may_verify(affair=affair, roles=command.roles, addressee_number=who)
        if affair not in await uow.vault.subject_affairs(who):
            raise ResolutionNotPermitted(who, affair, "the person is not a subject of this affair")
        binding = await uow.vault.binding_of(who)
        if binding is None:
            raise NoNumberBound(who)
        match = ports.sealer.matches(binding.number_index, number)
        await uow.audit.record(subjects=[who], detail={"affair": affair, "match": match})
        return match


async def look_up_number(
    uow: GatewayUnitPort, ports: Ports, command: LookUpNumber
) -> Binding | None:
    """Individual number -> person (through the keyed index), for a permitted affair. A holder
    who is not the affair's subject is answered as no holder (C-02); the audit names them."""
    number = IndividualNumber(command.individual_number)
    affair = command.affair
    async with uow:
        try:
            binding = await find_by_number(
                uow.vault,
                ports.sealer,
                ports.policy,
                number=number,
                affair=affair,
                roles=command.roles,
            )
        except HolderNotASubject as refused:
            await uow.audit.record(
                subjects=[refused.addressee_number],
                outcome=Outcome.FAILED,
                detail={"affair": affair, "found": False, "reason": "not-a-subject"},
                status_code=404,
            )
            return None
        await uow.audit.record(
            subjects=[binding.addressee_number] if binding else [],
            detail={"affair": affair, "found": binding is not None},
            status_code=200 if binding else 404,
        )
        return binding


async def find_by_number(
    repo: VaultRepository,
    sealer: NumberSealer,
    policy: ResolutionPolicy,
    *,
    number: IndividualNumber,
    affair: str,
    roles: frozenset[str],
) -> Binding | None:
    policy.permit(affair=affair, roles=roles)  # before the lookup: no answer leaks to others
    binding = await repo.holder_of(sealer.indexes(number))
    if binding is None:
        return None
    try:
        policy.check(
            addressee_number=binding.addressee_number,
            affair=affair,
            roles=roles,
            subject_affairs=await repo.subject_affairs(binding.addressee_number),
        )
    except ResolutionNotPermitted as refused:
        # C-02: the holder is not this affair's subject. The caller is told what it would be
        # told if no one held the number; the audit still names the holder.
        raise HolderNotASubject(binding.addressee_number, affair) from refused
    return binding


class HolderNotASubject(Exception):
    """A number was looked up for an affair whose subject its holder is not (C-02)."""

    def __init__(self, addressee_number: str, affair: str) -> None:
        super().__init__(f"the holder is not a subject of affair {affair!r}")
        self.addressee_number = addressee_number
        self.affair = affair


async def binding_confirmations(
    uow: GatewayUnitPort, *, limit: int, after: int
) -> tuple[list[Confirmation], bool]:
    """C-17: refused bindings waiting for staff; (the page, whether more follow)."""
    async with uow:
        rows = await uow.vault.open_confirmations(limit + 1, after)
        page = rows[:limit]
        await uow.audit.record(subjects=sorted({c.addressee_number for c in page}))
        return page, len(rows) > limit


async def record_death(repo: VaultRepository, *, addressee_number: str, at: datetime) -> bool:
    """C-93: mark the person deceased; the number stays sealed and protected as before."""
    binding = await repo.binding_of(addressee_number)
    if binding is None or binding.deceased:
        return False
    await repo.record([PersonDied(addressee_number, at)])
    return True
