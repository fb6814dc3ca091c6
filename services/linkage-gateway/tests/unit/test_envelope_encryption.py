from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer, SealBroken
from kokuho.linkage_gateway.adapters.keys import KeyStore, KeyStoreMissing, UnknownKey
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

Numbers = Callable[[], IndividualNumber]


def test_a_sealed_number_opens_only_for_its_own_row(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    number = numbers()
    sealed = sealer.seal(number, addressee_number="A1")
    assert sealer.open(sealed, addressee_number="A1") == number
    with pytest.raises(SealBroken):
        sealer.open(sealed, addressee_number="A2")


def test_the_sealed_bytes_hold_no_plain_digits(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    number = numbers()
    sealed = sealer.seal(number, addressee_number="A1")
    for blob in (sealed.ciphertext, sealed.wrapped_key, sealed.nonce):
        assert number.value.encode() not in blob
    assert len(sealed.ciphertext) == 12 + 16  # AES-GCM: the plaintext length plus the tag


def test_every_value_gets_its_own_data_key(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    number = numbers()
    a = sealer.seal(number, addressee_number="A1")
    b = sealer.seal(number, addressee_number="A1")
    assert a.wrapped_key != b.wrapped_key
    assert a.ciphertext != b.ciphertext


def test_tampered_values_do_not_open(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    sealed = sealer.seal(numbers(), addressee_number="A1")
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(SealBroken):
        sealer.open(replace(sealed, ciphertext=flipped), addressee_number="A1")
    with pytest.raises(SealBroken):
        sealer.open(
            replace(sealed, wrapped_key=sealed.wrapped_key[:-1] + b"\0"), addressee_number="A1"
        )


def test_the_index_is_keyed_and_stable(tmp_path: Path, numbers: Numbers) -> None:
    number = numbers()
    one = EnvelopeSealer(KeyStore(tmp_path / "one", create=True))
    other = EnvelopeSealer(KeyStore(tmp_path / "other", create=True))
    assert one.index(number) == one.index(number)
    assert one.index(number) != other.index(number)
    assert number.value not in one.index(number)


def test_rotation_rewraps_under_the_new_key_and_stays_readable(
    key_store: KeyStore, numbers: Numbers
) -> None:
    sealer = EnvelopeSealer(key_store)
    number = numbers()
    old = sealer.seal(number, addressee_number="A1")
    new_id = key_store.add_kek(activate=True)
    assert sealer.active_kek_id == new_id
    assert sealer.open(old, addressee_number="A1") == number  # the old key is still there
    rewrapped = sealer.rewrap(old)
    assert rewrapped.kek_id == new_id != old.kek_id
    assert sealer.open(rewrapped, addressee_number="A1") == number
    key_store.retire(old.kek_id)
    assert sealer.open(rewrapped, addressee_number="A1") == number
    with pytest.raises(UnknownKey):
        sealer.open(old, addressee_number="A1")


def test_a_second_process_follows_a_rotation_without_restart(
    tmp_path: Path, numbers: Numbers
) -> None:
    directory = tmp_path / "keys"
    server = EnvelopeSealer(KeyStore(directory, create=True))
    rotator_store = KeyStore(directory)
    rotator = EnvelopeSealer(rotator_store)
    number = numbers()
    rotator_store.add_kek(activate=True)
    sealed = rotator.seal(number, addressee_number="A1")
    assert server.open(sealed, addressee_number="A1") == number
    assert server.active_kek_id == rotator.active_kek_id


def test_no_key_store_and_no_permission_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreMissing):
        KeyStore(tmp_path / "absent")


def test_key_files_are_private(key_store: KeyStore) -> None:
    for path in (key_store.directory / "kek").glob("*.key"):
        assert path.stat().st_mode & 0o077 == 0


def test_two_processes_creating_the_dev_store_at_once_share_one(tmp_path: Path) -> None:
    import threading

    stores: list[KeyStore] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            stores.append(KeyStore(tmp_path / "keys", create=True))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({s.index_key() for s in stores}) == 1
    assert len({s.active_kek_id() for s in stores}) == 1
