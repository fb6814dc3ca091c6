"""Settings of linkage-gateway (environment prefix ``KOKUHO_LINKAGE_GATEWAY_``)."""

from __future__ import annotations

import ssl
from datetime import time
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import assessment, collection, eligibility, linkage_gateway
from kokuho.events.transfers import REGISTRY_FILE
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.tls import counterpart_context

PARAMETERS = Path(__file__).resolve().parent / "parameters"


def _repo_local() -> Path:
    """``.local/`` of the repository (ignored by git), for development keys."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / ".git").exists():
            return parent / ".local"
    return Path.cwd() / ".local"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_LINKAGE_GATEWAY_")
    service_name: str = "linkage-gateway"

    #: Key-encryption keys and index keys: a key source outside the service's data (a mounted
    #: secret in production; `make run` uses .local/dev-vault-keys). No default: unset, the
    #: gateway refuses to start.
    key_directory: Path | None = None
    #: Create a development key store on first use. Off unless the local runner (`make run`)
    #: or a test turns it on: in production a missing key directory stops start-up.
    create_dev_keys: bool = False
    resolution_permits_path: Path = PARAMETERS / "resolution_permits.toml"
    permitted_inquiries_path: Path = PARAMETERS / "permitted_inquiries.toml"
    #: The shared transfer registry (``kokuho.events.transfers``, ADR 0089).
    transfer_flows_path: Path = REGISTRY_FILE
    #: C-77: inquiry results are deleted this many days after the inquiry completed. The source
    #: states no period; this is configuration (❌ unconfirmed in the source).
    inquiry_result_retention_days: int = Field(default=30, ge=1, le=3650)
    #: Base URLs of the counterparts reached over HTTP (the simulator processes `make run`
    #: starts, or the real systems). Unset: the in-process simulator answers.
    jlis_url: str | None = None
    intermediate_server_url: str | None = None
    portal_url: str | None = None
    #: The federation's file exchange over HTTP; set, it replaces the outbox-folder simulator.
    federation_url: str | None = None
    resident_records_url: str | None = None
    #: Mutual TLS towards the counterparts (C-26..C-28, C-76; ADR 0095): the gateway's client
    #: certificate and key (PEM) and the CA(s) the counterparts' server certificates must chain
    #: to (verified, host name checked). All three or none; an ``https`` counterpart URL needs
    #: them, and a plain ``http`` one is taken only on this machine (the simulators of
    #: ``make run`` and the tests): a plain URL to another host stops start-up.
    counterpart_tls_cert_path: Path | None = None
    counterpart_tls_key_path: Path | None = None
    counterpart_tls_ca_path: Path | None = None
    #: benefits' base URL: the federation's claims files are handed to its claim imports as
    #: this service's principal (ADR 0083, 0084; needs ``service_key_path``). Unset: refused.
    benefits_url: str | None = None
    #: Where the federation simulator drops sent files (None: kept in memory only).
    federation_outbox: Path | None = Field(
        default_factory=lambda: _repo_local() / "linkage-gateway" / "federation-outbound"
    )
    #: Send insured changes to the federation every this many seconds (None: only on request).
    federation_send_interval_seconds: int | None = Field(default=None, ge=10)
    #: Poll the e-application portal every this many seconds (None: only on request).
    e_application_poll_interval_seconds: int | None = Field(default=None, ge=10)
    #: Fetch the federation's daily continuation file (KKH-SKK) every day at this time, Japan
    #: time ("HH:MM"), and at start-up when today's time has passed and today's file is not
    #: in yet (None: only by the command or an upload). The source says "daily" without a time.
    continuation_fetch_time: time | None = None
    #: Run the retention job (C-95..C-97, ADR 0097) every day at this time, Japan time
    #: ("HH:MM"; None: only by the ``retention`` command). Off unless the city turns it on.
    retention_time: time | None = None
    #: Fetch the マイナ保険証 states from the online-qualification side every this many
    #: seconds and publish the changed ones (None: only by the ``fetch-card-states`` command).
    card_state_fetch_interval_seconds: int | None = Field(default=None, ge=60)
    #: Trusted roots (PEM) for e-application signing certificates and the issuer's CRL (C-12).
    #: Without them every e-application is refused (fail closed).
    e_application_trust_roots: Path | None = None
    e_application_crl: Path | None = None
    #: Topics whose events drive replica registration (C-79).
    eligibility_topic: str = eligibility.EVENTS_TOPIC
    #: Assessment's topic, whose PremiumAssessed events drive the premium replicas (C-79);
    #: None turns them off.
    assessment_topic: str | None = assessment.EVENTS_TOPIC
    personal_details_topic: str = eligibility.PERSONAL_DETAILS_TOPIC
    #: Collection's topic, whose TaxDeductionTransferred (移転 1) the transfer registry carries
    #: to the tax division and records (C-66); None turns the transfer feed off.
    collection_topic: str | None = collection.EVENTS_TOPIC
    #: this service's own topic (the contract's name; tests point it at their own topic)
    events_topic: str = linkage_gateway.TOPIC

    #: Largest federation file accepted over the API (continuation files, carry-over lists;
    #: bytes of the request); every other request is limited by ``max_body_bytes`` (1 MiB).
    federation_file_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024 * 1024)

    @model_validator(mode="after")
    def _counterparts_over_mutual_tls(self) -> Settings:
        # the platform's one rule (ADR 0095): unreadable files, half the settings, an https
        # URL without them or a plain one off this machine stop start-up here
        self.counterpart_tls()
        return self

    def counterpart_urls(self) -> dict[str, str]:
        """The counterparts reached over the network, by setting name."""
        urls = {
            "jlis_url": self.jlis_url,
            "intermediate_server_url": self.intermediate_server_url,
            "portal_url": self.portal_url,
            "federation_url": self.federation_url,
            "resident_records_url": self.resident_records_url,
        }
        return {name: url for name, url in urls.items() if url}

    def counterpart_tls(self) -> ssl.SSLContext | None:
        """The client context of the counterpart calls: the gateway's certificate, the
        counterparts' CA only, host names checked; None without the settings."""
        return counterpart_context(
            self.counterpart_urls(),
            self.counterpart_tls_cert_path,
            self.counterpart_tls_key_path,
            self.counterpart_tls_ca_path,
        )

    @classmethod
    def of(cls, settings: ServiceSettings) -> Settings:
        """The platform hands commands its base type; ours is always this subclass."""
        if not isinstance(settings, cls):
            raise TypeError("linkage-gateway needs its own Settings")
        return settings
