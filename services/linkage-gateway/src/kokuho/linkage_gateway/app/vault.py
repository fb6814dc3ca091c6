"""Vault handlers: load -> decide -> record. The plain number lives only in memory here."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from kokuho.linkage_gateway.app.ports import IdentityService, NumberSealer, VaultRepository
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
    PersonDied,
    decide_binding,
    evolve,
)


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


async def register_number(
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
    """Bind ``number`` to the person (C-17, C-75), after the J-LIS authenticity check."""
    policy.may_register(affair=affair, roles=roles, addressee_number=addressee_number)
    index = sealer.index(number)
    person = await repo.binding_of(addressee_number)
    holder = await repo.holder_of(index)
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


async def resolve_number(
    repo: VaultRepository,
    sealer: NumberSealer,
    policy: ResolutionPolicy,
    *,
    addressee_number: str,
    affair: str,
    roles: frozenset[str],
) -> Resolution:
    """Addressee number -> individual number, only for a permitted affair's own subject."""
    permit = policy.check(
        addressee_number=addressee_number,
        affair=affair,
        roles=roles,
        subject_affairs=await repo.subject_affairs(addressee_number),
    )
    binding = await repo.binding_of(addressee_number)
    sealed = await repo.sealed_of(addressee_number)
    if binding is None or sealed is None:
        raise NoNumberBound(addressee_number)
    number = sealer.open(sealed, addressee_number=addressee_number)
    return Resolution(binding, number, permit)


async def verify_number(
    repo: VaultRepository,
    sealer: NumberSealer,
    policy: ResolutionPolicy,
    *,
    addressee_number: str,
    number: IndividualNumber,
    affair: str,
    roles: frozenset[str],
) -> bool:
    """C-22: is this the person's number? Compared through the keyed index: the stored number
    is neither opened nor returned, and only match or mismatch is answered."""
    policy.may_verify(affair=affair, roles=roles, addressee_number=addressee_number)
    if affair not in await repo.subject_affairs(addressee_number):
        raise ResolutionNotPermitted(
            addressee_number, affair, "the person is not a subject of this affair"
        )
    binding = await repo.binding_of(addressee_number)
    if binding is None:
        raise NoNumberBound(addressee_number)
    return hmac.compare_digest(binding.number_index, sealer.index(number))


async def find_by_number(
    repo: VaultRepository,
    sealer: NumberSealer,
    policy: ResolutionPolicy,
    *,
    number: IndividualNumber,
    affair: str,
    roles: frozenset[str],
) -> Binding | None:
    """Individual number -> person (through the keyed index), for a permitted affair."""
    policy.permit(affair=affair, roles=roles)  # before the lookup: no answer leaks to others
    binding = await repo.holder_of(sealer.index(number))
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


async def record_death(repo: VaultRepository, *, addressee_number: str, at: datetime) -> bool:
    """C-93: mark the person deceased; the number stays sealed and protected as before."""
    binding = await repo.binding_of(addressee_number)
    if binding is None or binding.deceased:
        return False
    await repo.record([PersonDied(addressee_number, at)])
    return True
