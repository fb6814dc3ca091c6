from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer, SealBroken, index_key_id_of
from kokuho.linkage_gateway.adapters.keys import (
    LEGACY_INDEX_KEY,
    KeyFileExposed,
    KeyStore,
    KeyStoreMissing,
    UnknownKey,
)
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber

Numbers = Callable[[], IndividualNumber]


def test_a_sealed_number_opens_only_for_its_own_row(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    number = numbers()
    sealed = sealer.seal(number, addressee_number="1000000001")
    assert sealer.open(sealed, addressee_number="1000000001") == number
    with pytest.raises(SealBroken):
        sealer.open(sealed, addressee_number="1000000002")


def test_the_sealed_bytes_hold_no_plain_digits(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    number = numbers()
    sealed = sealer.seal(number, addressee_number="1000000001")
    for blob in (sealed.ciphertext, sealed.wrapped_key, sealed.nonce):
        assert number.value.encode() not in blob
    assert len(sealed.ciphertext) == 12 + 16  # AES-GCM: the plaintext length plus the tag


def test_every_value_gets_its_own_data_key(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    number = numbers()
    a = sealer.seal(number, addressee_number="1000000001")
    b = sealer.seal(number, addressee_number="1000000001")
    assert a.wrapped_key != b.wrapped_key
    assert a.ciphertext != b.ciphertext


def test_tampered_values_do_not_open(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    sealed = sealer.seal(numbers(), addressee_number="1000000001")
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(SealBroken):
        sealer.open(replace(sealed, ciphertext=flipped), addressee_number="1000000001")
    with pytest.raises(SealBroken):
        sealer.open(
            replace(sealed, wrapped_key=sealed.wrapped_key[:-1] + b"\0"),
            addressee_number="1000000001",
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
    old = sealer.seal(number, addressee_number="1000000001")
    new_id = key_store.add_kek(activate=True)
    assert sealer.active_kek_id == new_id
    assert sealer.open(old, addressee_number="1000000001") == number  # the old key is still there
    rewrapped = sealer.rewrap(old)
    assert rewrapped.kek_id == new_id != old.kek_id
    assert sealer.open(rewrapped, addressee_number="1000000001") == number
    key_store.retire(old.kek_id)
    assert sealer.open(rewrapped, addressee_number="1000000001") == number
    with pytest.raises(UnknownKey):
        sealer.open(old, addressee_number="1000000001")


def test_a_second_process_follows_a_rotation_without_restart(
    tmp_path: Path, numbers: Numbers
) -> None:
    directory = tmp_path / "keys"
    server = EnvelopeSealer(KeyStore(directory, create=True))
    rotator_store = KeyStore(directory)
    rotator = EnvelopeSealer(rotator_store)
    number = numbers()
    rotator_store.add_kek(activate=True)
    sealed = rotator.seal(number, addressee_number="1000000001")
    assert server.open(sealed, addressee_number="1000000001") == number
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
    assert len({s.active_index_key_id() for s in stores}) == 1
    assert len({s.active_kek_id() for s in stores}) == 1


def test_an_index_names_its_key_and_matches_only_its_number(
    key_store: KeyStore, numbers: Numbers
) -> None:
    sealer = EnvelopeSealer(key_store)
    number, other = numbers(), numbers()
    index = sealer.index(number)
    assert index.startswith(key_store.active_index_key_id() + ":")
    assert sealer.matches(index, number)
    assert not sealer.matches(index, other)


def test_after_an_index_key_rotation_old_and_new_indexes_both_match(
    key_store: KeyStore, numbers: Numbers
) -> None:
    sealer = EnvelopeSealer(key_store)
    number = numbers()
    old_id = key_store.active_index_key_id()
    old_index = sealer.index(number)
    new_id = key_store.add_index_key(activate=True)
    new_index = sealer.index(number)
    assert new_index != old_index
    assert new_index.startswith(new_id + ":")
    assert sealer.indexes(number) == [new_index, old_index]  # the active key first
    assert sealer.matches(old_index, number)
    assert sealer.matches(new_index, number)
    key_store.retire_index_key(old_id)
    assert sealer.indexes(number) == [new_index]
    with pytest.raises(UnknownKey):
        sealer.matches(old_index, number)
    with pytest.raises(ValueError, match="active"):
        key_store.retire_index_key(new_id)


def test_a_store_with_the_older_single_index_key_still_finds_its_bindings(
    tmp_path: Path, numbers: Numbers
) -> None:
    directory = tmp_path / "keys"
    KeyStore(directory, create=True)
    # the layout before index keys could be rotated: one index.key, bare-hex index values
    only = next((directory / "index").glob("*.key"))
    only.rename(directory / "index.key")
    (directory / "index-active").unlink()
    (directory / "index").rmdir()
    store = KeyStore(directory)
    sealer = EnvelopeSealer(store)
    number = numbers()
    legacy = sealer.index(number)
    assert store.active_index_key_id() == LEGACY_INDEX_KEY
    assert ":" not in legacy
    assert len(legacy) == 64
    assert index_key_id_of(legacy) == LEGACY_INDEX_KEY
    new_id = store.add_index_key(activate=True)
    assert sealer.index(number).startswith(new_id + ":")
    assert sealer.matches(legacy, number)
    store.retire_index_key(LEGACY_INDEX_KEY)
    assert not (directory / "index.key").exists()


def test_a_second_process_follows_an_index_key_rotation(tmp_path: Path, numbers: Numbers) -> None:
    directory = tmp_path / "keys"
    server = EnvelopeSealer(KeyStore(directory, create=True))
    rotator = KeyStore(directory)
    new_id = rotator.add_index_key(activate=True)
    assert server.index(numbers()).startswith(new_id + ":")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
@pytest.mark.parametrize("which", ["kek", "index"])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, which: str, mode: int) -> None:
    directory = tmp_path / "keys"
    KeyStore(directory, create=True)
    exposed = next((directory / which).glob("*.key"))
    exposed.chmod(mode)
    with pytest.raises(KeyFileExposed, match=f"{exposed.name}.*mode {mode:o}"):
        KeyStore(directory)
    exposed.chmod(0o400)  # a mounted secret's defaultMode
    KeyStore(directory)


def test_an_active_key_missing_from_the_store_stops_start_up(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    KeyStore(directory, create=True)
    (directory / "index-active").write_text("index-gone")
    with pytest.raises(KeyStoreMissing, match="index-gone"):
        KeyStore(directory)


def test_the_gateway_has_no_default_key_source() -> None:
    """Fail closed: keys come from a configured source outside the data, never a default."""
    from kokuho.linkage_gateway.bootstrap import key_store
    from kokuho.linkage_gateway.config import Settings

    with pytest.raises(KeyStoreMissing, match="KOKUHO_LINKAGE_GATEWAY_KEY_DIRECTORY"):
        key_store(Settings(create_dev_keys=True))
