"""Key-encryption keys and the index key, read from files (ADR 0020).

Layout of the key directory: a key source outside the service's data (a mounted secret in
production; ``.local/dev-vault-keys`` created by ``make run`` in development, never committed)::

    active            the id of the KEK new values are wrapped with
    kek/<id>.key      one 256-bit KEK per file, hex
    index-active      the id of the index key new bindings are indexed with
    index/<id>.key    one 256-bit HMAC index key per file, hex
    index.key         (older stores) the first index key, id ``legacy``

The store re-reads the directory when it meets a key id it does not know or when ``active`` or
``index-active`` changed, so running servers follow a rotation without a restart. Every key file
must be private to its owner (mode 0600 or 0400): a key others can read is refused at start.

A KMS would stand behind the same methods (``KeySource`` in ``crypto.py``); this file
implementation is the development one and the one a mounted secret uses.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

from kokuho.platform.settings import StartupRefused

_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class UnknownKey(Exception):
    def __init__(self, kek_id: str) -> None:
        super().__init__(f"key-encryption key {kek_id!r} is not in the key store")
        self.kek_id = kek_id


class KeyStoreMissing(StartupRefused):
    pass


class KeyFileExposed(StartupRefused):
    """A key file others may read: refused rather than used (fail closed)."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(
            f"{path} is readable by others (mode {mode:o}): keys must be private to the service "
            "(chmod 600, or defaultMode 0400 on the mounted secret)"
        )


#: The id of an older store's single ``index.key``; its index values carry no id prefix.
LEGACY_INDEX_KEY = "legacy"


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _read_key(path: Path) -> bytes:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyFileExposed(path, mode)
    key = bytes.fromhex(path.read_text().strip())
    if len(key) != 32:
        raise ValueError(f"{path.name}: a key must be 256 bits")
    return key


def new_key_id(kind: str = "kek") -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


class KeyStore:
    def __init__(self, directory: Path, *, create: bool = False) -> None:
        self.directory = directory
        if not (directory / "active").exists():
            if not create:
                raise KeyStoreMissing(f"no key store at {directory}")
            self._create(directory)
        self._keks: dict[str, bytes] = {}
        self._active = ""
        self._active_mtime = -1
        self._index_keys: dict[str, bytes] = {}
        self._index_active = ""
        self._index_mtime = -1
        try:
            self._reload()
            self._reload_index()
        except (UnknownKey, OSError, ValueError) as exc:
            raise KeyStoreMissing(f"the key store at {directory} is not usable: {exc}") from exc

    def _create(self, directory: Path) -> None:
        """A development key store; of two processes creating it at once, one wins."""
        try:
            _write_secret(directory / ".creating", "")
        except FileExistsError:
            deadline = 50
            while not (directory / "active").exists() and deadline:
                time.sleep(0.1)  # the other process is writing its first KEK
                deadline -= 1
            return
        self.add_index_key(activate=True)
        self.add_kek(activate=True)

    def _reload(self) -> None:
        keks = {}
        for path in sorted((self.directory / "kek").glob("*.key")):
            keks[path.stem] = _read_key(path)
        active_path = self.directory / "active"
        self._active_mtime = active_path.stat().st_mtime_ns
        active = active_path.read_text().strip()
        if active not in keks:
            raise UnknownKey(active)
        self._keks, self._active = keks, active

    def active_kek_id(self) -> str:
        if (self.directory / "active").stat().st_mtime_ns != self._active_mtime:
            self._reload()
        return self._active

    def kek(self, kek_id: str) -> bytes:
        if kek_id not in self._keks:
            self._reload()
        try:
            return self._keks[kek_id]
        except KeyError:
            raise UnknownKey(kek_id) from None

    def _reload_index(self) -> None:
        keys = {p.stem: _read_key(p) for p in sorted((self.directory / "index").glob("*.key"))}
        if (self.directory / "index.key").exists():
            keys[LEGACY_INDEX_KEY] = _read_key(self.directory / "index.key")
        active_path = self.directory / "index-active"
        if active_path.exists():
            self._index_mtime = active_path.stat().st_mtime_ns
            active = active_path.read_text().strip()
        else:
            self._index_mtime, active = -1, LEGACY_INDEX_KEY
        if active not in keys:
            raise UnknownKey(active)
        self._index_keys, self._index_active = keys, active

    def active_index_key_id(self) -> str:
        path = self.directory / "index-active"
        if (path.stat().st_mtime_ns if path.exists() else -1) != self._index_mtime:
            self._reload_index()
        return self._index_active

    def index_key(self, key_id: str | None = None) -> bytes:
        """The index key ``key_id`` (default: the active one)."""
        key_id = key_id or self.active_index_key_id()
        if key_id not in self._index_keys:
            self._reload_index()
        try:
            return self._index_keys[key_id]
        except KeyError:
            raise UnknownKey(key_id) from None

    def index_key_ids(self) -> list[str]:
        """Every index key, the active one first (lookups try them all during a rotation)."""
        active = self.active_index_key_id()
        return [active, *sorted(k for k in self._index_keys if k != active)]

    def add_index_key(self, *, activate: bool) -> str:
        key_id = new_key_id("index")
        _write_secret(self.directory / "index" / f"{key_id}.key", secrets.token_hex(32))
        if activate:
            self._switch("index-active", key_id)
        return key_id

    def retire_index_key(self, key_id: str) -> None:
        """Remove an index key no binding uses any more (the caller checks that)."""
        if key_id == self.active_index_key_id():
            raise ValueError("the active index key cannot be retired")
        path = (
            self.directory / "index.key"
            if key_id == LEGACY_INDEX_KEY
            else self.directory / "index" / f"{key_id}.key"
        )
        path.unlink()
        self._reload_index()

    def _switch(self, name: str, key_id: str) -> None:
        tmp = self.directory / f".{name}.{key_id}"
        _write_secret(tmp, key_id)
        os.replace(tmp, self.directory / name)  # atomic switch

    def kek_ids(self) -> list[str]:
        self._reload()
        return sorted(self._keks)

    def add_kek(self, *, activate: bool) -> str:
        """Create a new KEK file; with ``activate`` new values are wrapped with it."""
        kek_id = new_key_id()
        if not _KEY_ID.match(kek_id):
            raise ValueError(kek_id)
        _write_secret(self.directory / "kek" / f"{kek_id}.key", secrets.token_hex(32))
        if activate:
            self._switch("active", kek_id)
        return kek_id

    def retire(self, kek_id: str) -> None:
        """Remove a KEK no value uses any more (the caller checks that)."""
        if kek_id == self.active_kek_id():
            raise ValueError("the active key cannot be retired")
        (self.directory / "kek" / f"{kek_id}.key").unlink()
        self._reload()
