"""Settings of the eligibility service (environment prefix ``KOKUHO_ELIGIBILITY_``)."""

from __future__ import annotations

import ssl
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import assessment, benefits, collection, delinquency, linkage_gateway
from kokuho.events.contracts import eligibility as contracts
from kokuho.platform.settings import ServiceSettings
from kokuho.platform.tls import counterpart_context


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_ELIGIBILITY_")

    service_name: str = "eligibility"
    #: Demo city size for ``seed`` (households).
    seed_households: int = Field(default=300, ge=0, le=100_000)
    #: Run the turning-75 job in ``serve`` at start and every day at ``daily_job_hour_jst``.
    turning_75_daily: bool = True
    daily_job_hour_jst: int = Field(default=1, ge=0, le=23)
    #: Run the retention job (C-95, C-96; ADR 0096) in ``serve`` at start and every day at
    #: ``daily_job_hour_jst``. Off unless the city turns it on: erasure cannot be undone, and
    #: the city's procedure names who is responsible for it (C-96).
    retention_daily: bool = False
    #: linkage-gateway's topic (federation differences); None: consume nothing.
    linkage_topic: str | None = linkage_gateway.TOPIC
    #: benefits' topic (the income-based 70-74 co-payment rates); None: consume nothing.
    benefits_topic: str | None = benefits.EVENTS_TOPIC
    #: delinquency's topic (the 特別療養費 flag); None: consume nothing.
    delinquency_topic: str | None = delinquency.EVENTS_TOPIC
    #: The resident register's change feed (ADR 0015; `make run`: the simulator); None: no
    #: feed, files only. Read every ``resident_register_poll_seconds`` (None: on request only).
    resident_register_url: str | None = None
    resident_register_poll_seconds: int | None = Field(default=60, ge=5, le=86_400)
    #: Mutual TLS towards the resident register (C-26..C-28; ADR 0095), named as
    #: linkage-gateway's counterpart settings: eligibility's client certificate and key (PEM)
    #: and the CA the register's server certificate must chain to (verified, host name
    #: checked). All three or none; an ``https`` register URL needs them, and a plain ``http``
    #: one is taken only on this machine (the simulator of ``make run``, the tests).
    counterpart_tls_cert_path: Path | None = None
    counterpart_tls_key_path: Path | None = None
    counterpart_tls_ca_path: Path | None = None
    #: assessment's and collection's topics (the reports' projection); None: consume nothing.
    assessment_topic: str | None = assessment.EVENTS_TOPIC
    collection_topic: str | None = collection.EVENTS_TOPIC
    #: Where the bulk certificate run writes its print files (personal data); None: the run
    #: is refused (ADR 0017).
    print_dir: Path | None = None
    #: Topic names (the contract's names; tests point them at their own topics).
    events_topic: str = contracts.EVENTS_TOPIC
    personal_details_topic: str = contracts.PERSONAL_DETAILS_TOPIC
    #: Put in front of the department feed topics the transfer registry names (transfers 5,
    #: 10, 13; ADR 0089): tests feed their own topics; empty in production.
    feed_topic_prefix: str = ""

    @model_validator(mode="after")
    def _register_over_mutual_tls(self) -> Settings:
        # the platform's one rule (ADR 0095): unreadable files, half the settings, an https
        # URL without them or a plain one off this machine stop start-up here
        self.counterpart_tls()
        return self

    def counterpart_tls(self) -> ssl.SSLContext | None:
        """The client context of the register's feed: eligibility's certificate, the
        register's CA only, host names checked; None without the settings."""
        return counterpart_context(
            {"resident_register_url": self.resident_register_url},
            self.counterpart_tls_cert_path,
            self.counterpart_tls_key_path,
            self.counterpart_tls_ca_path,
        )
