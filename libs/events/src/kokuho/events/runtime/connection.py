"""How a client reaches the broker: address, security protocol and its own credentials.

Every Kafka client of the project (producers, consumers, admin clients, health checks, test
and bench tools) is made from a ``KafkaConnection`` (``client_options()``), never from a bare
bootstrap address: the broker authenticates every client (ADR 0086). Incomplete credentials are
refused when the connection is made, not discovered at the first send.

- ``SASL_PLAINTEXT`` / ``SASL_SSL``: SCRAM-SHA-512 (or -256) with a user name and password
  (the local broker: ``deploy/local``, users in ``.local/endpoints.json``);
- ``SSL``: mutual TLS with a client certificate (Strimzi ``KafkaUser`` of type ``tls``; the
  local broker's TLS listener, ADR 0099): the certificate's CN is the user;
- ``PLAINTEXT``: only when asked for by name (a broker without authentication, e.g. a
  throwaway test container).

TLS (``SSL``, ``SASL_SSL``) takes three files, all or none: the CA the broker's certificate must
chain to, and the client's certificate and key. The context (``kokuho.events.runtime.tls``)
trusts that CA only, checks that the broker's certificate names the host the client dialled and
presents the client's certificate; it is built when the connection is made, so a missing or
unreadable file, a partial set, or files with a protocol that does not use them stop the
service before any client exists (ADR 0099).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import ssl
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from kokuho.events.runtime.tls import TlsFilesRefused, mutual_context

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"]
SECURITY_PROTOCOLS: tuple[str, ...] = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL")
SASL_MECHANISMS: tuple[str, ...] = ("SCRAM-SHA-512", "SCRAM-SHA-256")
TLS_PROTOCOLS: tuple[str, ...] = ("SSL", "SASL_SSL")

#: The local broker's users (``deploy/local/kafka.sh``): its super user, for topic creation
#: and ACLs in ``make up``/``make run`` (``migrate``) and in test set-up only.
ADMIN_USER = "admin"


class KafkaConnectionError(ValueError):
    """The connection settings are incomplete or contradictory: no client is made."""


class KafkaTlsRefused(KafkaConnectionError):
    """The TLS handshake with the broker failed: its certificate is not from the CA or does not
    name the host dialled, or the broker refused the client's certificate (or its absence).
    aiokafka only says "Unable to bootstrap"; this names the broker and the reason."""


@dataclass(frozen=True)
class KafkaConnection:
    bootstrap_servers: str
    security_protocol: SecurityProtocol = "SASL_PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    username: str = ""
    password: str = field(default="", repr=False)
    #: TLS (SSL, SASL_SSL), all three: the CA the broker's certificate must chain to, and the
    #: client certificate and key presented to it.
    tls_ca_path: Path | None = None
    tls_cert_path: Path | None = None
    tls_key_path: Path | None = field(default=None, repr=False)
    #: Built from the three files when the connection is made; shared by its clients.
    _ssl_context: ssl.SSLContext | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = []
        if not self.bootstrap_servers:
            problems.append("no bootstrap servers")
        if self.security_protocol not in SECURITY_PROTOCOLS:
            problems.append(f"security protocol {self.security_protocol!r} unknown")
        if self.security_protocol.startswith("SASL_"):
            if self.sasl_mechanism not in SASL_MECHANISMS:
                problems.append(f"SASL mechanism {self.sasl_mechanism!r} unknown")
            if not self.username or not self.password:
                problems.append(f"{self.security_protocol} needs a user name and a password")
        files = {
            "tls_ca_path": self.tls_ca_path,
            "tls_cert_path": self.tls_cert_path,
            "tls_key_path": self.tls_key_path,
        }
        missing = [name for name, path in files.items() if not path]
        if self.security_protocol in TLS_PROTOCOLS and missing:
            problems.append(
                f"{self.security_protocol} needs the broker's CA, the client certificate and its"
                f" key (tls_ca_path, tls_cert_path, tls_key_path: all three): {', '.join(missing)}"
                " not set"
            )
        elif self.security_protocol not in TLS_PROTOCOLS and len(missing) < len(files):
            given = [name for name in files if name not in missing]
            problems.append(
                f"{', '.join(given)} set but the security protocol {self.security_protocol!r}"
                " does not use TLS (SSL or SASL_SSL)"
            )
        if problems:
            raise KafkaConnectionError(
                f"Kafka connection to {self.bootstrap_servers or '?'}: {'; '.join(problems)}"
            )
        ca, cert, key = self.tls_ca_path, self.tls_cert_path, self.tls_key_path
        if self.security_protocol in TLS_PROTOCOLS and ca and cert and key:  # all: checked above
            try:
                context = mutual_context(ca, cert, key, setting="tls")
            except TlsFilesRefused as exc:
                raise KafkaConnectionError(
                    f"Kafka connection to {self.bootstrap_servers}: {exc}"
                ) from None
            object.__setattr__(self, "_ssl_context", context)

    @property
    def principal(self) -> str:
        """Who the broker sees (``User:<name>``); certificate subjects are the broker's."""
        if self.security_protocol.startswith("SASL_"):
            return f"User:{self.username}"
        if self.security_protocol == "SSL":
            return f"User:(certificate {self.tls_cert_path})"
        return "User:ANONYMOUS"

    def as_user(self, username: str, password: str) -> KafkaConnection:
        """The same broker under another SASL user."""
        return replace(self, username=username, password=password)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin, client)."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol.startswith("SASL_"):
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.username
            options["sasl_plain_password"] = self.password
        if self._ssl_context is not None:
            options["ssl_context"] = self._ssl_context
        return options

    async def check_tls(self, *, timeout: float = 10.0) -> None:
        """``check_tls`` on this connection's first bootstrap server; no-op without TLS."""
        if self._ssl_context is None:
            return
        try:
            await check_tls(self.bootstrap_servers, self._ssl_context, timeout=timeout)
        except KafkaTlsRefused as exc:
            raise KafkaTlsRefused(
                f"{exc} [CA {self.tls_ca_path}, client certificate {self.tls_cert_path}]"
            ) from None


async def check_tls(
    bootstrap_servers: str, context: ssl.SSLContext, *, timeout: float = 10.0
) -> None:
    """Shake hands with the first of ``bootstrap_servers`` as the clients will, and ask it for
    its API versions: a broker that refuses the client's certificate (or its absence) closes
    the connection after the TLS 1.3 handshake, so the handshake alone proves nothing. Raises
    ``KafkaTlsRefused`` with the reason; a broker that cannot be reached at all is the
    clients' business (they retry), not a refusal."""
    host, _, port = bootstrap_servers.split(",")[0].strip().rpartition(":")
    where = f"{host}:{port}"
    # ApiVersions v0, correlation id 1: the smallest request every broker answers before
    # authentication and authorization.
    client = b"kokuho-tls-check"
    body = struct.pack(">hhih", 18, 0, 1, len(client)) + client
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, int(port), ssl=context), timeout
        )
    except ssl.SSLCertVerificationError as exc:
        raise KafkaTlsRefused(
            f"Kafka broker {where} not trusted: its certificate does not verify "
            f"({exc.verify_message})"
        ) from None
    except ssl.SSLError as exc:
        raise KafkaTlsRefused(f"Kafka broker {where}: TLS handshake failed ({exc})") from None
    except (OSError, TimeoutError):
        return
    try:
        writer.write(struct.pack(">i", len(body)) + body)
        await writer.drain()
        (size,) = struct.unpack(">i", await asyncio.wait_for(reader.readexactly(4), timeout))
        await asyncio.wait_for(reader.readexactly(size), timeout)
    except (ssl.SSLError, OSError, asyncio.IncompleteReadError) as exc:
        reason = str(exc) if isinstance(exc, ssl.SSLError) else "connection closed"
        raise KafkaTlsRefused(
            f"Kafka broker {where} refused this client's certificate ({reason}): the broker"
            " takes only certificates issued by the CA it trusts"
        ) from None
    except TimeoutError:
        return
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


# --- the local broker's endpoints file ----------------------------------------------------------

#: Where ``make up`` records the local infrastructure; ``KOKUHO_ENDPOINTS`` names another file.
ENDPOINTS_ENV = "KOKUHO_ENDPOINTS"


def endpoints_path(root: Path | None = None) -> Path:
    named = os.environ.get(ENDPOINTS_ENV)
    if named:
        return Path(named)
    base = root if root is not None else Path.cwd()
    return base / ".local" / "endpoints.json"


def local_connection(user: str = ADMIN_USER, *, path: Path | None = None) -> KafkaConnection:
    """The local broker (``.local/endpoints.json``, written by ``make up``) as ``user``.

    Fails when the file, the broker's entry or the user is missing: a client never falls back
    to an unauthenticated connection."""
    where = path or endpoints_path()
    try:
        kafka = json.loads(where.read_text())["kafka"]
    except (OSError, ValueError, KeyError) as exc:
        raise KafkaConnectionError(f"no Kafka endpoint in {where} ({exc}); run `make up`") from None
    return connection_from_endpoints(kafka, user, where=str(where))


def connection_from_endpoints(
    kafka: dict[str, Any], user: str, *, where: str = "endpoints", tls: bool = False
) -> KafkaConnection:
    """``user`` on the broker ``kafka`` (the endpoints file's entry) describes: by password on its
    SASL listener, or with ``tls`` by the user's certificate on its mutual-TLS listener."""
    if tls:
        return _tls_connection(kafka, user, where=where)
    protocol = kafka.get("security_protocol", "PLAINTEXT")
    if protocol == "PLAINTEXT":
        return KafkaConnection(kafka["bootstrap_servers"], security_protocol="PLAINTEXT")
    users = kafka.get("users") or {}
    if user not in users:
        raise KafkaConnectionError(
            f"{where} has no Kafka user {user!r} (users: {', '.join(sorted(users)) or 'none'});"
            " `make up` creates one per service and department feed"
        )
    return KafkaConnection(
        kafka["bootstrap_servers"],
        security_protocol=protocol,
        sasl_mechanism=kafka.get("sasl_mechanism", "SCRAM-SHA-512"),
        username=user,
        password=str(users[user]),
    )


def _tls_connection(kafka: dict[str, Any], user: str, *, where: str) -> KafkaConnection:
    listener = kafka.get("tls")
    if not listener:
        raise KafkaConnectionError(
            f"{where} names no mutual-TLS listener of the broker (ADR 0099); run `make up`"
        )
    clients = Path(listener["clients_dir"])
    return KafkaConnection(
        listener["bootstrap_servers"],
        security_protocol=listener.get("security_protocol", "SSL"),
        tls_ca_path=Path(listener["ca_file"]),
        tls_cert_path=clients / f"{user}.crt",
        tls_key_path=clients / f"{user}.key",
    )
