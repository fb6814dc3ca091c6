"""TLS contexts for what leaves a pod (ADR 0094, 0095, 0099): built from files, failing closed.

``verifying_context(ca)`` trusts exactly the CA file given (no system roots) and checks the
peer's name (PostgreSQL ``sslmode=verify-full``); ``mutual_context(ca, cert, key)`` adds the
client's own certificate (linkage-gateway towards its counterparts, every Kafka client of a
``KafkaConnection`` over SSL/SASL_SSL). In the events library because ``KafkaConnection`` lives
here and the platform builds on it (``kokuho.platform.tls`` re-exports these). A file that is
missing, unreadable or holds no certificate or key raises ``TlsFilesRefused`` (a
``ValueError``, so a setting naming it is refused with its name), never a context that
verifies less.
"""

from __future__ import annotations

import ssl
from pathlib import Path


class TlsFilesRefused(ValueError):
    """A CA, certificate or key file that cannot be used."""


def verifying_context(ca_path: Path, *, setting: str = "ca") -> ssl.SSLContext:
    """A client context that trusts only ``ca_path`` and checks the host name."""
    # Not create_default_context: it would trust the system's roots too.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_verify_locations(cafile=str(ca_path))
    except (OSError, ssl.SSLError) as exc:
        raise TlsFilesRefused(
            f"{setting}: {ca_path} is not a readable CA certificate file ({_reason(exc)})"
        ) from None
    if not context.get_ca_certs():
        raise TlsFilesRefused(f"{setting}: {ca_path} holds no CA certificate")
    return context


def mutual_context(
    ca_path: Path, cert_path: Path, key_path: Path, *, setting: str = "tls"
) -> ssl.SSLContext:
    """``verifying_context(ca_path)`` that also presents ``cert_path``/``key_path``."""
    context = verifying_context(ca_path, setting=f"{setting}_ca_path")
    try:
        context.load_cert_chain(certfile=str(cert_path), keyfile=str(key_path))
    except (OSError, ssl.SSLError) as exc:
        raise TlsFilesRefused(
            f"{setting}_cert_path/{setting}_key_path: {cert_path} and {key_path} are not a "
            f"readable certificate and its key ({_reason(exc)})"
        ) from None
    return context


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
