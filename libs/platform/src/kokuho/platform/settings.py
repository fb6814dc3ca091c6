"""``ServiceSettings``: the configuration every Kokuho service shares.

Each service subclasses it with its own environment prefix::

    class Settings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="KOKUHO_ELIGIBILITY_")
        service_name: str = "eligibility"

so that ``KOKUHO_ELIGIBILITY_DATABASE_DSN`` sets ``database_dsn`` and so on.

Configuration fails closed: a ``KOKUHO_ELIGIBILITY_*`` variable that names no field stops
start-up with its name (a misspelt key directory must not silently fall back to a default),
and so does an unknown keyword argument.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kokuho.events.runtime.connection import (
    TLS_PROTOCOLS,
    KafkaConnection,
    KafkaConnectionError,
    SecurityProtocol,
)
from kokuho.platform.tls import mutual_context, verifying_context

#: C-46: operation logs are kept at least 10 years.
MIN_AUDIT_RETENTION_YEARS = 10


def _split_list(value: Any) -> Any:
    """Accept ``a,b,c`` as well as a JSON list for list-valued environment variables."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class UnknownSetting(Exception):
    """An environment variable with the service's prefix that no setting reads.

    Not a ``ValueError``, so pydantic does not fold it into a validation error: start-up stops
    with this message and the variable's name."""


class StartupRefused(RuntimeError):
    """A service cannot start safely (a key missing or exposed, a secret in the wrong place):
    its commands stop with this message and exit 2, never a traceback or a fallback."""


#: The shared prefix: variables under it alone (``KOKUHO_ENDPOINTS``...) are not one service's.
SHARED_PREFIX = "KOKUHO_"


def unknown_variables(
    settings_class: type[BaseSettings], environ: Mapping[str, str] | None = None
) -> list[str]:
    """The variables under ``settings_class``'s own prefix that name none of its fields."""
    prefix = str(settings_class.model_config.get("env_prefix") or "")
    if not prefix or prefix.upper() == SHARED_PREFIX:
        return []
    known = {prefix.upper() + name.upper() for name in settings_class.model_fields}
    env = os.environ if environ is None else environ
    return sorted(k for k in env if k.upper().startswith(prefix.upper()) and k.upper() not in known)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=SHARED_PREFIX, extra="forbid")

    service_name: str
    database_dsn: str = Field(default="", repr=False)
    #: The CA certificate (PEM) the PostgreSQL server's certificate must chain to. Set, every
    #: connection the platform opens for the service (pool, relay, audit sealer, migrate and
    #: the commands) is TLS with ``sslmode=verify-full``: that CA only, and the certificate must
    #: name the DSN's host (ADR 0094). A file that is missing or holds no certificate stops
    #: start-up. None: the DSN alone decides (plain on the local cluster).
    database_tls_ca_path: Path | None = None
    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    #: How the service authenticates to the broker as its own user (ADR 0086): SASL/SCRAM
    #: locally (``make run`` passes the user ``make up`` made for it), mutual TLS in the
    #: cluster (Strimzi ``KafkaUser``; locally the broker's TLS listener, ADR 0099). Nothing
    #: set: the service refuses to start; PLAINTEXT only when named.
    kafka_security_protocol: SecurityProtocol = "SASL_PLAINTEXT"
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    kafka_username: str = ""
    kafka_password: SecretStr = Field(default=SecretStr(""), repr=False)
    #: TLS to the broker (``SSL``, ``SASL_SSL``; ADR 0099), all three or none: the CA (PEM) the
    #: broker's certificate must chain to (that CA only; the certificate must name the
    #: bootstrap host), the service's client certificate (its CN is the broker user) and key.
    #: A partial set, a file that cannot be read, or files with a protocol without TLS stop
    #: start-up ("configuration refused", exit 2).
    kafka_tls_ca_path: Path | None = None
    kafka_tls_cert_path: Path | None = None
    kafka_tls_key_path: Path | None = Field(default=None, repr=False)
    #: Partitions and replication of the topics this service creates (production: RF 3).
    kafka_partitions: int = Field(default=3, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    #: Superuser DSN used only by ``migrate`` to create the service's role and database.
    pg_admin_dsn: str | None = Field(default=None, repr=False)

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)

    # Staff authentication (C-35, C-36, C-15).
    auth_issuer: str = "kokuho-dev-issuer"
    #: The audience tokens must name; None: ``kokuho.<service_name>`` (a token for one service
    #: is refused by the others).
    auth_audience: str | None = None
    auth_public_key_path: Path | None = None
    auth_algorithms: Annotated[list[str], NoDecode] = ["ES256", "EdDSA"]
    #: The authentication method that must appear in the token's ``amr`` (C-36); None: no check.
    auth_required_amr: str | None = "iccard"
    auth_leeway_seconds: int = Field(default=30, ge=0, le=300)
    #: Longest lifetime (``exp - iat``) of a token the service takes; longer ones are 401.
    auth_max_token_lifetime_seconds: int = Field(default=12 * 3600, ge=60, le=24 * 3600)
    #: Verify tokens with the keys of the identity provider ``auth_issuer`` names (OpenID
    #: Connect discovery, JWKS by ``kid``: ADR 0060) instead of ``auth_public_key_path``.
    auth_oidc: bool = False
    #: How long the provider's key set is kept before it is fetched again (seconds); a token
    #: naming a key not in it makes one fetch sooner (rotation).
    auth_jwks_cache_seconds: int = Field(default=300, ge=10, le=86400)
    #: At most one such early fetch per this many seconds (made-up ``kid`` values cannot make
    #: the service hammer the provider).
    auth_jwks_refresh_cooldown_seconds: float = Field(default=30, ge=0, le=3600)
    #: The provider's role claim and its mapping to Kokuho roles (TOML: ``claim``, ``[roles]``);
    #: None: the token's ``roles`` claim holds Kokuho role names (the development issuer).
    auth_role_map_path: Path | None = None
    #: The other Kokuho services whose own tokens this one accepts, with their public keys and
    #: permissions (TOML, ADR 0083); None: staff tokens only.
    service_principals_path: Path | None = None
    #: This service's own signing key (PEM), for calling another service as itself (ADR 0083);
    #: None: it calls none.
    service_key_path: Path | None = None
    #: Registered terminal ids (C-15). None means terminals are not restricted by this service.
    allowed_terminal_ids: Annotated[frozenset[str] | None, NoDecode] = None

    audit_retention_years: int = Field(
        default=MIN_AUDIT_RETENTION_YEARS, ge=MIN_AUDIT_RETENTION_YEARS
    )
    #: The audit chain's HMAC key file (ADR 0006), never kept in the database. A service
    #: refuses to start without it; unset, ``KOKUHO_AUDIT_KEY_PATH`` names it (tests, make run).
    audit_key_path: Path | None = None
    #: How often the audit sealer looks for committed records to chain (seconds).
    audit_seal_interval_seconds: float = Field(default=0.1, gt=0, le=5)

    #: Largest request body read (bytes); larger ones get 413 before they are read. File
    #: imports declare their own limit on their route (``create_app(body_limits=...)``).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)

    log_level: str = "INFO"
    # Telemetry is configured by the standard OTEL_* variables (kokuho.platform.telemetry,
    # ADR 0092), not by a setting here.

    #: Consumer groups are ``<prefix>.<service_name>.<subscription>``; tests use their own
    #: prefix so that a running demo never takes their events.
    consumer_group_prefix: str = Field(default="kokuho", pattern=r"^[A-Za-z0-9._-]{1,100}$")

    def kafka_connection(self) -> KafkaConnection:
        """The broker as this service's own user; ``StartupRefused`` when the credentials are
        incomplete (never an anonymous or shared connection)."""
        try:
            return KafkaConnection(
                self.kafka_bootstrap_servers,
                security_protocol=self.kafka_security_protocol,
                sasl_mechanism=self.kafka_sasl_mechanism,
                username=self.kafka_username,
                password=self.kafka_password.get_secret_value(),
                tls_ca_path=self.kafka_tls_ca_path,
                tls_cert_path=self.kafka_tls_cert_path,
                tls_key_path=self.kafka_tls_key_path,
            )
        except KafkaConnectionError as exc:
            raise StartupRefused(f"{self.service_name}: {exc}") from None

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_variables(cls, data: Any) -> Any:
        unknown = unknown_variables(cls)
        if unknown:
            raise UnknownSetting(
                f"unknown setting(s) {', '.join(unknown)}: no field of {cls.__name__} reads "
                f"them (fields: {', '.join(sorted(cls.model_fields))})"
            )
        return data

    @model_validator(mode="after")
    def _kafka_tls_complete_and_readable(self) -> ServiceSettings:
        files = {
            "kafka_tls_ca_path": self.kafka_tls_ca_path,
            "kafka_tls_cert_path": self.kafka_tls_cert_path,
            "kafka_tls_key_path": self.kafka_tls_key_path,
        }
        missing = [name for name, path in files.items() if path is None]
        tls = self.kafka_security_protocol in TLS_PROTOCOLS
        # Checked with the settings (exit 2 before anything runs), not at the first client: a
        # service told to use TLS never falls back to a connection that verifies less.
        if tls and missing:
            raise ValueError(
                f"kafka_security_protocol {self.kafka_security_protocol} needs "
                f"kafka_tls_ca_path, kafka_tls_cert_path and kafka_tls_key_path (all three): "
                f"{', '.join(missing)} not set"
            )
        if not tls and len(missing) < len(files):
            given = [name for name in files if name not in missing]
            raise ValueError(
                f"{', '.join(given)} set, but kafka_security_protocol "
                f"{self.kafka_security_protocol} does not use TLS (SSL or SASL_SSL)"
            )
        ca, cert, key = self.kafka_tls_ca_path, self.kafka_tls_cert_path, self.kafka_tls_key_path
        if tls and ca and cert and key:  # all three: checked above
            mutual_context(ca, cert, key, setting="kafka_tls")
        return self

    @field_validator("database_tls_ca_path")
    @classmethod
    def _database_ca_readable(cls, value: Path | None) -> Path | None:
        if value is not None:
            # Fail closed now, not at the first connection: a CA that cannot be read is a
            # configuration error, never a reason to connect without verification.
            verifying_context(value, setting="database_tls_ca_path")
        return value

    @field_validator("auth_algorithms", "allowed_terminal_ids", mode="before")
    @classmethod
    def _lists_from_env(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("auth_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        allowed = {"ES256", "ES384", "EdDSA"}
        bad = [alg for alg in value if alg not in allowed]
        if bad or not value:
            raise ValueError(f"auth_algorithms must be a non-empty subset of {sorted(allowed)}")
        return value
