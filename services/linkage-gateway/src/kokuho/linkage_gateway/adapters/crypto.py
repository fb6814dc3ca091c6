"""AES-256-GCM envelope encryption and the keyed HMAC index of individual numbers (ADR 0020).

Each value gets a fresh 256-bit data key; the number is encrypted under it with AES-GCM, the
addressee number bound in as associated data (a sealed value moved to another row no longer
opens). The data key is wrapped (AES-GCM) by a key-encryption key (KEK) whose id is stored
with the value. Rotation rewraps data keys under the new KEK; values stay readable throughout
because every KEK named by a row stays in the key store until no row uses it.

Lookups use HMAC-SHA256 under a separate index key, so equal numbers are found without
decrypting, and the index reveals nothing without that key. An index value names its key
(``<index key id>:<hex>``; an older store's single key wrote bare hex), so the index key can be
rotated: lookups try every key in the store until ``rotate-index-key`` has re-indexed every
binding under the new one and retired the old.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kokuho.linkage_gateway.adapters.keys import LEGACY_INDEX_KEY
from kokuho.linkage_gateway.app.records import SealedNumber
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

NONCE_BYTES = 12
_VALUE_AAD = b"kokuho.linkage-gateway.individual-number|"
_WRAP_AAD = b"kokuho.linkage-gateway.data-key|"


class SealBroken(Exception):
    """A sealed value does not open: wrong key, tampered bytes or moved to another row."""


class KeySource(Protocol):
    """Where the keys come from: the key directory (``keys.KeyStore``: development, or a mounted
    secret) or, behind the same methods, a KMS."""

    def active_kek_id(self) -> str: ...

    def kek(self, kek_id: str) -> bytes: ...

    def active_index_key_id(self) -> str: ...

    def index_key(self, key_id: str | None = None) -> bytes: ...

    def index_key_ids(self) -> list[str]: ...


def index_key_id_of(index: str) -> str:
    """The id of the key an index value was made with."""
    key_id, sep, _ = index.rpartition(":")
    return key_id if sep else LEGACY_INDEX_KEY


class EnvelopeSealer:
    def __init__(self, keys: KeySource) -> None:
        self._keys = keys

    @property
    def active_kek_id(self) -> str:
        return self._keys.active_kek_id()

    @property
    def active_index_key_id(self) -> str:
        return self._keys.active_index_key_id()

    def index(self, number: IndividualNumber, key_id: str | None = None) -> str:
        """The keyed index of a number under ``key_id`` (default: the active index key)."""
        key_id = key_id or self._keys.active_index_key_id()
        digest = hmac.new(
            self._keys.index_key(key_id), number.value.encode(), hashlib.sha256
        ).hexdigest()
        return digest if key_id == LEGACY_INDEX_KEY else f"{key_id}:{digest}"

    def indexes(self, number: IndividualNumber) -> list[str]:
        """The number's index under every key in the store (a lookup during a rotation)."""
        return [self.index(number, key_id) for key_id in self._keys.index_key_ids()]

    def matches(self, index: str, number: IndividualNumber) -> bool:
        """Is ``index`` (as stored) the index of ``number``? Constant-time."""
        return hmac.compare_digest(index, self.index(number, index_key_id_of(index)))

    def seal(self, number: IndividualNumber, *, addressee_number: str) -> SealedNumber:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(data_key).encrypt(
            nonce, number.value.encode(), _VALUE_AAD + addressee_number.encode()
        )
        kek_id = self._keys.active_kek_id()
        return SealedNumber(kek_id, self._wrap(kek_id, data_key), nonce, ciphertext)

    def open(self, sealed: SealedNumber, *, addressee_number: str) -> IndividualNumber:
        data_key = self._unwrap(sealed)
        try:
            plain = AESGCM(data_key).decrypt(
                sealed.nonce, sealed.ciphertext, _VALUE_AAD + addressee_number.encode()
            )
        except InvalidTag:
            raise SealBroken("the sealed individual number does not open") from None
        return IndividualNumber(plain.decode())

    def rewrap(self, sealed: SealedNumber) -> SealedNumber:
        active = self._keys.active_kek_id()
        if sealed.kek_id == active:
            return sealed
        data_key = self._unwrap(sealed)
        return SealedNumber(active, self._wrap(active, data_key), sealed.nonce, sealed.ciphertext)

    def _wrap(self, kek_id: str, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self._keys.kek(kek_id)).encrypt(
            nonce, data_key, _WRAP_AAD + kek_id.encode()
        )

    def _unwrap(self, sealed: SealedNumber) -> bytes:
        nonce, body = sealed.wrapped_key[:NONCE_BYTES], sealed.wrapped_key[NONCE_BYTES:]
        try:
            return AESGCM(self._keys.kek(sealed.kek_id)).decrypt(
                nonce, body, _WRAP_AAD + sealed.kek_id.encode()
            )
        except InvalidTag:
            raise SealBroken(f"the data key does not unwrap under {sealed.kek_id}") from None
