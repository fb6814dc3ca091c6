"""Settings of linkage-gateway (environment prefix ``KOKUHO_LINKAGE_GATEWAY_``)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import assessment, collection, eligibility, linkage_gateway
from kokuho.events.transfers import REGISTRY_FILE
from kokuho.platform.settings import ServiceSettings

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

    @classmethod
    def of(cls, settings: ServiceSettings) -> Settings:
        """The platform hands commands its base type; ours is always this subclass."""
        if not isinstance(settings, cls):
            raise TypeError("linkage-gateway needs its own Settings")
        return settings
