"""The vault's binding rules (統合宛名管理): individual number <-> integrated addressee number
(団体内統合宛名番号, 1:1) <-> addressee number (宛名番号).

The domain never sees the number in plain text: it decides on the keyed index of the number
(``number_index``), which the adapter computes. C-17: a second, different number for a person
is refused. C-75: one number is never bound to two people.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from kokuho.platform.errors import DomainError


class VaultRuleBroken(DomainError):
    """Base of the vault's refusals (422 unless said otherwise)."""


class SecondNumberForPerson(VaultRuleBroken):
    """C-17: the person already has a different individual number."""

    slug = "second-number-for-person"

    def __init__(self, addressee_number: str) -> None:
        super().__init__(
            f"addressee {addressee_number} already has a different individual number bound (C-17);"
            " the binding is put on the confirmation list"
        )
        self.addressee_number = addressee_number


class NumberBoundToAnotherPerson(VaultRuleBroken):
    """C-75: the individual number is bound to another addressee."""

    slug = "number-bound-to-another-person"

    def __init__(self, addressee_number: str) -> None:
        super().__init__(
            f"the individual number is already bound to another person, not to addressee "
            f"{addressee_number} (C-75)"
        )
        self.addressee_number = addressee_number


class NumberNotAuthentic(VaultRuleBroken):
    """The national identity service (J-LIS) did not confirm the number (真正性確認)."""

    slug = "number-not-authentic"

    def __init__(self, addressee_number: str, reason: str) -> None:
        super().__init__(
            f"the individual number for addressee {addressee_number} failed the authenticity "
            f"check: {reason}"
        )
        self.addressee_number = addressee_number
        self.reason = reason


class NoNumberBound(VaultRuleBroken):
    status = 404
    slug = "no-number-bound"

    def __init__(self, addressee_number: str) -> None:
        super().__init__(f"addressee {addressee_number} has no individual number bound")
        self.addressee_number = addressee_number


@dataclass(frozen=True)
class Binding:
    """One person's row of the integrated addressee table (AT-1..3)."""

    addressee_number: str
    integrated_addressee_number: str
    number_index: str
    bound_at: datetime
    deceased: bool = False


@dataclass(frozen=True)
class BindNumber:
    """Command: bind an (authenticated) individual number to a person."""

    addressee_number: str
    number_index: str
    authentic: bool
    authenticity_reason: str
    new_integrated_addressee_number: str
    at: datetime


@dataclass(frozen=True)
class NumberBound:
    addressee_number: str
    integrated_addressee_number: str
    number_index: str
    at: datetime


@dataclass(frozen=True)
class PersonDied:
    """C-93: a deceased person's number stays in the vault, protected the same way."""

    addressee_number: str
    at: datetime


VaultEvent = NumberBound | PersonDied


def decide_binding(
    person: Binding | None, holder: Binding | None, command: BindNumber
) -> list[VaultEvent]:
    """``person``: the current binding of the addressee; ``holder``: the binding that already
    holds this number (by index), if any. Re-registering the same number is a no-op."""
    if person is not None:
        if person.number_index == command.number_index:
            return []
        raise SecondNumberForPerson(command.addressee_number)
    if holder is not None and holder.addressee_number != command.addressee_number:
        raise NumberBoundToAnotherPerson(command.addressee_number)
    if not command.authentic:
        raise NumberNotAuthentic(command.addressee_number, command.authenticity_reason)
    return [
        NumberBound(
            addressee_number=command.addressee_number,
            integrated_addressee_number=command.new_integrated_addressee_number,
            number_index=command.number_index,
            at=command.at,
        )
    ]


def evolve(state: Binding | None, event: VaultEvent) -> Binding | None:
    if isinstance(event, NumberBound):
        return Binding(
            addressee_number=event.addressee_number,
            integrated_addressee_number=event.integrated_addressee_number,
            number_index=event.number_index,
            bound_at=event.at,
        )
    if state is None:
        raise NoNumberBound(event.addressee_number)
    return replace(state, deceased=True)
