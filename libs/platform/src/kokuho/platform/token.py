"""Minting staff tokens: ``mint_token`` for tests, and the development issuer command.

    python -m kokuho.platform.token --user U0001 --roles eligibility.clerk,auditor \\
        --terminal T-0001 [--ttl 3600] [--amr iccard,pwd]

prints a token signed by the local development key (ES256). The key pair is created on first
use in ``$KOKUHO_DEV_ISSUER_DIR`` (default ``<repo root>/.local/dev-issuer``: ``private.pem``,
``public.pem``); services are pointed at ``public.pem`` with ``..._AUTH_PUBLIC_KEY_PATH``.
The directory is git-ignored; the private key never leaves this machine and never lives in a
service. Issuer ``kokuho-dev-issuer``, audience ``kokuho``.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import jwt
import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from kokuho.platform.auth import (
    AUDIENCE,
    DEV_ISSUER,
    ICCARD,
    MAX_TOKEN_LIFETIME_SECONDS,
    service_audience,
)

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
DEV_ISSUER_DIR_ENV = "KOKUHO_DEV_ISSUER_DIR"


def new_private_key(algorithm: str = "ES256") -> PrivateKey:
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def algorithm_of(key: PrivateKey) -> str:
    return "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256"


def mint_token(
    private_key: PrivateKey,
    *,
    user_id: str,
    roles: Sequence[str],
    terminal_id: str | None = "T-TEST",
    ttl_seconds: int = 3600,
    amr: Sequence[str] = (ICCARD, "pwd"),
    issuer: str = DEV_ISSUER,
    audience: str | Sequence[str] = AUDIENCE,
    now: float | None = None,
    algorithm: str | None = None,
) -> str:
    """A signed staff token (ES256 for EC keys, EdDSA for Ed25519 keys)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": issuer,
        "aud": audience if isinstance(audience, str) else list(audience),
        "sub": user_id,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": str(uuid.uuid4()),
        "roles": list(roles),
        "amr": list(amr),
    }
    if terminal_id is not None:
        claims["terminal_id"] = terminal_id
    return jwt.encode(claims, private_key, algorithm=algorithm or algorithm_of(private_key))


def repo_root(start: Path | None = None) -> Path:
    """The nearest directory upwards holding ``uv.lock``."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "uv.lock").is_file():
            return directory
    module_dir = Path(__file__).resolve()
    for directory in module_dir.parents:
        if (directory / "uv.lock").is_file():
            return directory
    raise FileNotFoundError("cannot find the repository root (a directory with uv.lock)")


def dev_issuer_dir() -> Path:
    configured = os.environ.get(DEV_ISSUER_DIR_ENV)
    if configured:
        return Path(configured)
    return repo_root() / ".local" / "dev-issuer"


def dev_issuer_key(directory: Path | None = None) -> PrivateKey:
    """The development signing key, created (with its public key) on first use."""
    directory = directory or dev_issuer_dir()
    private_path, public_path = directory / "private.pem", directory / "public.pem"
    if private_path.is_file():
        key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        if not isinstance(key, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
            raise ValueError(f"{private_path}: not an EC or Ed25519 private key")
        if not public_path.is_file():
            _write(public_path, _public_pem(key), 0o644)
        return key
    directory.mkdir(parents=True, exist_ok=True)
    key = new_private_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(private_path, pem, 0o600)
    _write(public_path, _public_pem(key), 0o644)
    return key


def dev_issuer_public_key_path(directory: Path | None = None) -> Path:
    directory = directory or dev_issuer_dir()
    dev_issuer_key(directory)
    return directory / "public.pem"


def _public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def local_audiences(root: Path | None = None) -> list[str]:
    """The audiences of every service in this checkout (``kokuho.<service>``): a development
    token is good for all of them, a production token names its service."""
    base = repo_root(root)
    names = sorted(p.parent.name for p in base.glob("services/*/pyproject.toml"))
    return [service_audience(name) for name in names]


def cli() -> None:
    def main(
        user: Annotated[str, typer.Option(help="staff user id (sub)")],
        roles: Annotated[str, typer.Option(help="comma-separated roles")],
        terminal: Annotated[str, typer.Option(help="terminal id")],
        ttl: Annotated[
            int, typer.Option(min=1, max=MAX_TOKEN_LIFETIME_SECONDS, help="lifetime in seconds")
        ] = 3600,
        amr: Annotated[str, typer.Option(help="authentication methods")] = f"{ICCARD},pwd",
    ) -> None:
        """Print a development staff token (issuer kokuho-dev-issuer, audiences: every service
        of this checkout, ``kokuho.<service>``)."""
        token = mint_token(
            dev_issuer_key(),
            user_id=user,
            roles=[r.strip() for r in roles.split(",") if r.strip()],
            terminal_id=terminal,
            ttl_seconds=ttl,
            amr=[a.strip() for a in amr.split(",") if a.strip()],
            audience=local_audiences(),
        )
        typer.echo(token)

    typer.run(main)


if __name__ == "__main__":
    cli()
