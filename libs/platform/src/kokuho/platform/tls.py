"""TLS contexts for what leaves a pod (ADR 0094, 0095, 0099): built from files, failing closed.

``verifying_context(ca)`` trusts exactly the CA file given (no system roots) and checks the
peer's name (PostgreSQL ``sslmode=verify-full``); ``mutual_context(ca, cert, key)`` adds the
client's own certificate (linkage-gateway towards its counterparts, eligibility towards the
resident register). Both live in ``kokuho.events.runtime.tls``, because ``KafkaConnection`` (in
the events library, which the platform builds on) uses them too (ADR 0099); they are imported
from here by the settings and the services. A file that is missing, unreadable or holds no
certificate or key raises ``TlsFilesRefused`` (a ``ValueError``, so a setting naming it is
refused with its name), never a context that verifies less. ``counterpart_context`` is the one
rule for a service's external counterparts: the settings all or none, ``https`` only with
them, plain ``http`` only on this machine.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from kokuho.events.runtime.tls import TlsFilesRefused, mutual_context, verifying_context

__all__ = [
    "LOOPBACK",
    "TlsFilesRefused",
    "counterpart_context",
    "mutual_context",
    "verifying_context",
]

#: Hosts a plain-HTTP counterpart may be on: this machine only (the simulators, ADR 0095).
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def counterpart_context(
    urls: Mapping[str, str | None],
    cert_path: Path | None,
    key_path: Path | None,
    ca_path: Path | None,
    *,
    setting: str = "counterpart_tls",
) -> ssl.SSLContext | None:
    """The client context for the counterparts at ``urls`` (setting name -> URL, unset ones
    skipped), or None when no ``{setting}_*`` path is given; ``ValueError`` naming the setting
    when the paths are given in part, cannot be read, an ``https`` URL has no paths, or a plain
    ``http`` URL leaves this machine (C-26..C-28, C-76; ADR 0095). Settings validators call it,
    so each of these stops start-up."""
    paths = {
        f"{setting}_cert_path": cert_path,
        f"{setting}_key_path": key_path,
        f"{setting}_ca_path": ca_path,
    }
    given = [name for name, path in paths.items() if path is not None]
    if given and len(given) < len(paths):
        missing = sorted(set(paths) - set(given))
        raise ValueError(
            f"{', '.join(given)} set without {', '.join(missing)}: mutual TLS towards the "
            "counterparts needs the client certificate, its key and the counterparts' CA"
        )
    context = None
    if cert_path is not None and key_path is not None and ca_path is not None:
        context = mutual_context(ca_path, cert_path, key_path, setting=setting)
    for name, url in urls.items():
        if not url:
            continue
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"{name} must be an http(s) URL")
        if scheme == "https" and context is None:
            raise ValueError(
                f"{name} is https but {', '.join(paths)} are not set (mutual TLS, C-76)"
            )
        if scheme == "http" and host not in LOOPBACK:
            raise ValueError(
                f"{name} is plain http to {host}: a counterpart outside this machine is "
                "reached over https with the service's client certificate (C-76)"
            )
    return context
