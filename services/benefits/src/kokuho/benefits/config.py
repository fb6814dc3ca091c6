"""Settings of benefits.

Environment prefix ``KOKUHO_BENEFITS_``.
They fail closed: a variable under the prefix that names no field stops start-up with its name.
Development-only behaviour stays off unless the local runner or a test turns it on.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import assessment, delinquency, eligibility, linkage_gateway
from kokuho.events.contracts import benefits as contracts
from kokuho.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_BENEFITS_")
    service_name: str = "benefits"

    #: this service's own topic (the contract's name; tests point it at their own topic)
    events_topic: str = contracts.EVENTS_TOPIC
    #: linkage-gateway's general topic: the federation's high-cost carry-over lists (S2)
    linkage_topic: str = linkage_gateway.TOPIC
    #: delinquency's general topic: 給付の一時差止 and its release (rules.md §4.6)
    delinquency_topic: str = delinquency.EVENTS_TOPIC
    #: consume the other services' events (off for tests that drive the API alone)
    consume_linkage: bool = True
    #: consume delinquency's ``BenefitsWithheld`` / ``BenefitsReleased``
    consume_delinquency: bool = True
    #: assessment's restricted income-facts topic (ADR 0045): 所得区分 and the 70–74 rate
    income_facts_topic: str = assessment.INCOME_FACTS_TOPIC
    #: consume ``HouseholdIncomeFactsStated`` from ``income_facts_topic``
    consume_income_facts: bool = True
    #: eligibility's general topic: losses of qualification (返納金 detection, NHI-B-58)
    eligibility_topic: str = eligibility.EVENTS_TOPIC
    #: consume ``QualificationLost`` from ``eligibility_topic``
    consume_eligibility: bool = True
    #: run the monthly runs asked for by ``POST /api/v1/monthly-runs`` in this process
    monthly_run_job: bool = True
    #: how often the job looks for a requested run (seconds)
    monthly_run_poll_seconds: float = Field(default=5.0, gt=0)
    #: households per chunk (one transaction each) of the monthly run
    monthly_run_chunk: int = Field(default=2000, ge=1, le=50_000)
    #: largest claims file accepted by ``POST /api/v1/claim-imports`` (bytes of the request;
    #: 300,000 claims are about 30 MB)
    claims_import_max_bytes: int = Field(default=128 * 1024 * 1024, ge=1024 * 1024)
