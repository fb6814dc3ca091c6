"""ADR 0006: the audit key lives outside the database, and without it nothing is written or
verified (fail closed). The tests and ``make run`` get the development key."""

from __future__ import annotations

import base64
import secrets
import stat
from pathlib import Path

import pytest

from kokuho.platform import audit
from kokuho.platform.audit import AuditEntry, AuditKey, AuditKeyMissing, Outcome
from kokuho.platform.eventing import Eventing
from kokuho.platform.settings import ServiceSettings


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that was given no key at all."""
    monkeypatch.delenv(audit.KEY_PATH_ENV, raising=False)
    monkeypatch.setattr(audit, "_process_key", None)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.usefixtures("no_key")
async def test_a_service_without_its_audit_key_refuses_to_start() -> None:
    settings = ServiceSettings(service_name="keyless", database_dsn="postgresql://x@127.0.0.1/x")
    with pytest.raises(AuditKeyMissing, match="audit_key_path"):
        await Eventing(settings).__aenter__()  # before any connection is made
    with pytest.raises(AuditKeyMissing):
        audit.load_key(settings)


@pytest.mark.usefixtures("no_key")
async def test_appending_without_a_key_fails_closed() -> None:
    log = audit.PostgresAuditLog(lambda: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(AuditKeyMissing):
        await log.append(AuditEntry(user_id="U1", operation="GET /x", outcome=Outcome.ALLOWED))


@pytest.mark.usefixtures("no_key")
def test_the_key_comes_from_the_setting_and_one_process_holds_one_key(tmp_path: Path) -> None:
    secret = secrets.token_bytes(32)
    path = write(tmp_path / "audit.key", base64.b64encode(secret).decode() + "\n")
    settings = ServiceSettings(service_name="keyed", audit_key_path=path)
    assert audit.load_key(settings).secret == secret
    assert audit.current_key().secret == secret
    other = write(tmp_path / "other.key", secrets.token_hex(32))
    with pytest.raises(AuditKeyMissing, match="already uses"):
        audit.load_key(ServiceSettings(service_name="keyed", audit_key_path=other))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (base64.b64encode(b"short").decode(), "at least 32 bytes"),
        ("not a key at all!", "not base64 or hex"),
        ("", "at least 32 bytes"),
    ],
)
def test_weak_or_unreadable_keys_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(AuditKeyMissing, match=problem):
        AuditKey.from_file(write(tmp_path / "k", text))
    with pytest.raises(AuditKeyMissing, match="cannot read"):
        AuditKey.from_file(tmp_path / "missing")


def test_the_development_key_is_made_once_and_private(tmp_path: Path) -> None:
    first = audit.dev_key_path(tmp_path)
    key = AuditKey.from_file(first)
    assert audit.dev_key_path(tmp_path) == first
    assert AuditKey.from_file(first) == key
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert key.key_id not in first.read_text()


def test_the_test_kit_provides_the_development_key() -> None:
    import kokuho.platform.testing  # noqa: F401 (sets KOKUHO_AUDIT_KEY_PATH)

    assert audit.current_key() == AuditKey.from_file(audit.dev_key_path())


async def test_the_in_memory_log_chains_with_its_key() -> None:
    fake = audit.InMemoryAuditLog()
    for i in range(3):
        await fake.append(
            AuditEntry(user_id="U1", operation="GET /x", outcome=Outcome.ALLOWED, detail={"i": i})
        )
    assert [r.seq for r in fake.records] == [1, 2, 3]
    assert audit.verify_records(fake.records, key=fake.key).ok
    assert not audit.verify_records(fake.records, key=AuditKey.generate()).ok
