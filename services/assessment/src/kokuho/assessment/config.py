"""Settings of assessment (environment prefix ``KOKUHO_ASSESSMENT_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import assessment, eligibility, linkage_gateway
from kokuho.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_ASSESSMENT_")
    service_name: str = "assessment"

    #: the city whose parameter files (``<city>-<FY>.toml``) apply
    city: str = "hiroshima"
    #: a directory of parameter files replacing the packaged ones (the city's confirmed figures)
    parameters_directory: Path | None = None
    #: development only (off by default, ``make run`` turns it on): a year whose city file is
    #: marked unconfirmed is computed with the packaged demonstration file
    #: ``parameters/demo/<city>-<FY>.toml`` (figures marked DEMO ONLY; ADR 0036)
    demo_parameters: bool = False
    #: eligibility's general topic, consumed for households and qualification dates
    eligibility_topic: str = eligibility.EVENTS_TOPIC
    #: linkage-gateway's general topic: e-applications (無所得申立) forwarded to assessment
    linkage_topic: str = linkage_gateway.TOPIC
    #: consume the other services' events (off for tests that drive the API alone)
    consume_eligibility: bool = True
    #: this service's own topic (the contract's name; tests point it at their own topic)
    events_topic: str = assessment.EVENTS_TOPIC
    #: Largest income file accepted by ``POST /api/v1/income-imports`` (bytes of the request);
    #: every other request is limited by ``max_body_bytes`` (1 MiB). A city of 150,000
    #: households sends about 25 MB.
    income_import_max_bytes: int = Field(default=128 * 1024 * 1024, ge=1024 * 1024)
    #: processes a rate simulation assesses households in (ADR 0051): the cores the service may
    #: use; 1 keeps it in the request's own process
    simulation_workers: int = Field(default=2, ge=1, le=64)
    #: processes the annual run (本算定, ``annual-run``) computes chunks in while its own
    #: process loads and writes (ADR 0103); 0 computes in a thread of that process
    annual_run_workers: int = Field(default=2, ge=0, le=64)
