"""Who may resolve a person's individual number, for which affair (C-01, C-02).

An individual number is used only for affairs with a legal basis (My Number Act Art. 9(1),
Appended Table item 44; city ordinance Art. 3). Each affair may resolve only its own
subjects. The permits themselves are data (``parameters/resolution_permits.toml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kokuho.platform.errors import DomainError


class ResolutionNotPermitted(DomainError):
    """C-01/C-02: this role or affair may not resolve this person's number."""

    status = 403
    slug = "resolution-not-permitted"

    def __init__(self, addressee_number: str, affair: str, reason: str) -> None:
        super().__init__(
            f"resolution of addressee {addressee_number} for affair {affair!r} is not "
            f"permitted: {reason}"
        )
        self.addressee_number = addressee_number
        self.affair = affair
        self.reason = reason


@dataclass(frozen=True)
class AffairPermit:
    """One number-using affair (個人番号利用事務) and the roles that act for it."""

    affair: str
    legal_basis: str
    roles: frozenset[str]
    #: Roles that may register a number for this affair (make a person its subject).
    registrar_roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ResolutionPolicy:
    permits: Mapping[str, AffairPermit]

    def check(
        self,
        *,
        addressee_number: str,
        affair: str,
        roles: Iterable[str],
        subject_affairs: Iterable[str],
    ) -> AffairPermit:
        """The permit used, or ``ResolutionNotPermitted``. ``subject_affairs``: the affairs
        the person is a subject of (C-02)."""
        permit = self.permit(affair=affair, roles=roles, addressee_number=addressee_number)
        if affair not in set(subject_affairs):
            raise ResolutionNotPermitted(
                addressee_number, affair, "the person is not a subject of this affair"
            )
        return permit

    def permit(
        self, *, affair: str, roles: Iterable[str], addressee_number: str = "-"
    ) -> AffairPermit:
        """The affair's permit if one of ``roles`` acts for it (C-01), before any person."""
        permit = self.permits.get(affair)
        if permit is None:
            raise ResolutionNotPermitted(addressee_number, affair, "no legal basis listed")
        if permit.roles.isdisjoint(roles):
            raise ResolutionNotPermitted(addressee_number, affair, "role not permitted")
        return permit

    def may_verify(
        self, *, affair: str, roles: Iterable[str], addressee_number: str
    ) -> AffairPermit:
        """C-22: checking a shown number against the person's is for those who act for the
        affair or register its numbers (the counter clerk holds the card in hand)."""
        permit = self.permits.get(affair)
        if permit is None:
            raise ResolutionNotPermitted(addressee_number, affair, "no legal basis listed")
        if (permit.roles | permit.registrar_roles).isdisjoint(roles):
            raise ResolutionNotPermitted(addressee_number, affair, "role not permitted")
        return permit

    def may_register(
        self, *, affair: str, roles: Iterable[str], addressee_number: str
    ) -> AffairPermit:
        """Registering for an affair makes the person its subject (C-02): only its registrars."""
        permit = self.permits.get(affair)
        if permit is None:
            raise ResolutionNotPermitted(addressee_number, affair, "no legal basis listed")
        if permit.registrar_roles.isdisjoint(roles):
            raise ResolutionNotPermitted(
                addressee_number, affair, "role may not register numbers for this affair"
            )
        return permit
