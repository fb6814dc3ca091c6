"""The ports the handlers need; adapters implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.domain.vault import Binding, VaultEvent


@dataclass(frozen=True)
class SealedNumber:
    """An individual number under envelope encryption: a per-value data key wrapped by the
    key-encryption key ``kek_id``; the number encrypted under the data key."""

    kek_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


class NumberSealer(Protocol):
    """Encryption and keyed index of individual numbers (adapters/crypto.py)."""

    def index(self, number: IndividualNumber) -> str: ...

    def seal(self, number: IndividualNumber, *, addressee_number: str) -> SealedNumber: ...

    def open(self, sealed: SealedNumber, *, addressee_number: str) -> IndividualNumber: ...

    def rewrap(self, sealed: SealedNumber) -> SealedNumber:
        """The same value with its data key wrapped by the active key-encryption key."""
        ...

    @property
    def active_kek_id(self) -> str: ...


@dataclass(frozen=True)
class Authenticity:
    authentic: bool
    reason: str = ""


class IdentityService(Protocol):
    """The national identity service (J-LIS, 地方公共団体情報システム機構): authenticity check
    (真正性確認) of an individual number."""

    async def confirm(self, number: IndividualNumber) -> Authenticity: ...


class VaultRepository(Protocol):
    """The integrated addressee table inside one transaction."""

    async def binding_of(self, addressee_number: str) -> Binding | None: ...

    async def holder_of(self, number_index: str) -> Binding | None: ...

    async def next_integrated_addressee_number(self) -> str: ...

    async def record(
        self, events: Sequence[VaultEvent], sealed: SealedNumber | None = None
    ) -> None: ...

    async def sealed_of(self, addressee_number: str) -> SealedNumber | None: ...

    async def subject_affairs(self, addressee_number: str) -> set[str]: ...

    async def add_subject(self, addressee_number: str, affair: str) -> None: ...
