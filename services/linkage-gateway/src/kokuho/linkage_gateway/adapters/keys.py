"""Key-encryption keys and the index key, read from files (ADR 0020).

Layout of the key directory (a mounted secret in production; ``.local/linkage-gateway/keys``
created on first use in development, never committed)::

    active          the id of the KEK new values are wrapped with
    kek/<id>.key    one 256-bit KEK per file, hex
    index.key       the HMAC index key, hex

The store re-reads the directory when it meets a KEK id it does not know or when ``active``
changed, so running servers follow a rotation without a restart.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class UnknownKey(Exception):
    def __init__(self, kek_id: str) -> None:
        super().__init__(f"key-encryption key {kek_id!r} is not in the key store")
        self.kek_id = kek_id


class KeyStoreMissing(Exception):
    pass


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _read_key(path: Path) -> bytes:
    key = bytes.fromhex(path.read_text().strip())
    if len(key) != 32:
        raise ValueError(f"{path.name}: a key must be 256 bits")
    return key


def new_kek_id() -> str:
    return f"kek-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


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
        self._index_key = _read_key(directory / "index.key")
        self._reload()

    def _create(self, directory: Path) -> None:
        """A development key store; of two processes creating it at once, one wins."""
        try:
            _write_secret(directory / "index.key", secrets.token_hex(32))
        except FileExistsError:
            deadline = 50
            while not (directory / "active").exists() and deadline:
                time.sleep(0.1)  # the other process is writing its first KEK
                deadline -= 1
            return
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

    def index_key(self) -> bytes:
        return self._index_key

    def kek_ids(self) -> list[str]:
        self._reload()
        return sorted(self._keks)

    def add_kek(self, *, activate: bool) -> str:
        """Create a new KEK file; with ``activate`` new values are wrapped with it."""
        kek_id = new_kek_id()
        if not _KEY_ID.match(kek_id):
            raise ValueError(kek_id)
        _write_secret(self.directory / "kek" / f"{kek_id}.key", secrets.token_hex(32))
        if activate:
            tmp = self.directory / f".active.{kek_id}"
            _write_secret(tmp, kek_id)
            os.replace(tmp, self.directory / "active")  # atomic switch
        return kek_id

    def retire(self, kek_id: str) -> None:
        """Remove a KEK no value uses any more (the caller checks that)."""
        if kek_id == self.active_kek_id():
            raise ValueError("the active key cannot be retired")
        (self.directory / "kek" / f"{kek_id}.key").unlink()
        self._reload()
