"""How a client reaches the broker: address, security protocol and its own credentials.

Every Kafka client of the project (producers, consumers, admin clients, health checks, test
and bench tools) is made from a ``KafkaConnection`` (``client_options()``), never from a bare
bootstrap address: the broker authenticates every client (ADR 0086). Incomplete credentials are
refused when the connection is made, not discovered at the first send.

- ``SASL_PLAINTEXT`` / ``SASL_SSL``: SCRAM-SHA-512 (or -256) with a user name and password
  (the local broker: ``deploy/local``, users in ``.local/endpoints.json``);
- ``SSL``: mutual TLS with a client certificate (Strimzi ``KafkaUser`` of type ``tls``);
- ``PLAINTEXT``: only when asked for by name (a broker without authentication, e.g. a
  throwaway test container).
"""

from __future__ import annotations

import json
import os
import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"]
SECURITY_PROTOCOLS: tuple[str, ...] = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL")
SASL_MECHANISMS: tuple[str, ...] = ("SCRAM-SHA-512", "SCRAM-SHA-256")

#: The local broker's users (``deploy/local/kafka.sh``): its super user, for topic creation
#: and ACLs in ``make up``/``make run`` (``migrate``) and in test set-up only.
ADMIN_USER = "admin"


class KafkaConnectionError(ValueError):
    """The connection settings are incomplete or contradictory: no client is made."""


@dataclass(frozen=True)
class KafkaConnection:
    bootstrap_servers: str
    security_protocol: SecurityProtocol = "SASL_PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    username: str = ""
    password: str = field(default="", repr=False)
    #: TLS (SSL, SASL_SSL): the cluster CA, and for SSL the client certificate and key.
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = field(default=None, repr=False)

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
        if self.security_protocol in ("SSL", "SASL_SSL") and self.ssl_cafile is None:
            problems.append(f"{self.security_protocol} needs the cluster CA (ssl_cafile)")
        if self.security_protocol == "SSL" and (not self.ssl_certfile or not self.ssl_keyfile):
            problems.append("SSL needs a client certificate and key (mutual TLS)")
        if problems:
            raise KafkaConnectionError(
                f"Kafka connection to {self.bootstrap_servers or '?'}: {'; '.join(problems)}"
            )

    @property
    def principal(self) -> str:
        """Who the broker sees (``User:<name>``); certificate subjects are the broker's."""
        if self.security_protocol.startswith("SASL_"):
            return f"User:{self.username}"
        if self.security_protocol == "SSL":
            return f"User:(certificate {self.ssl_certfile})"
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
        if self.security_protocol in ("SSL", "SASL_SSL"):
            context = ssl.create_default_context(cafile=str(self.ssl_cafile))
            if self.ssl_certfile and self.ssl_keyfile:
                context.load_cert_chain(str(self.ssl_certfile), str(self.ssl_keyfile))
            options["ssl_context"] = context
        return options


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
    kafka: dict[str, Any], user: str, *, where: str = "endpoints"
) -> KafkaConnection:
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
