"""Settings of collection. Environment prefix ``KOKUHO_COLLECTION_``.

They fail closed: a variable under the prefix that names no field stops start-up with its name.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kokuho.events.contracts import assessment, benefits, delinquency
from kokuho.events.contracts import collection as contracts
from kokuho.platform.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KOKUHO_COLLECTION_")
    service_name: str = "collection"

    #: this service's own topic (the contract's name; tests point it at their own topic)
    events_topic: str = contracts.EVENTS_TOPIC
    #: assessment's general topic: PremiumAssessed becomes charges
    assessment_topic: str = assessment.EVENTS_TOPIC
    #: consume assessment's events (off for tests that drive the API alone)
    consume_assessment: bool = True
    #: delinquency's topic: a seizure's proceeds become a payment; None: consume nothing
    delinquency_topic: str | None = delinquency.EVENTS_TOPIC
    #: benefits' topic: ``RepaymentClaimed`` becomes a 返納金 charge, a payout marked
    #: ``may_appropriate_to_arrears`` is set against overdue premiums (ADR 0085); None: neither
    benefits_topic: str | None = benefits.EVENTS_TOPIC
    #: the city whose settings file (``<city>.toml``) applies
    city: str = "hiroshima"
    #: a directory of parameter files replacing the packaged ones (the city's confirmed figures)
    parameters_directory: Path | None = None
    #: the payment file route takes up to this many bytes (300,000 lines are about 15 MB)
    payment_import_max_bytes: int = 64_000_000
    #: worker processes that match a payment file's lines while it is written (ADR 0116);
    #: 0: one thread of the serving process
    payment_file_workers: int = Field(default=1, ge=0, le=8)
    #: 口座振替: the city as the Zengin file's 委託者 (its code from the bank, its name in
    #: half-width kana) and its collecting account; demo values until the bank gives them
    debit_consignor_code: str = "9999999999"
    debit_consignor_name: str = "ﾋﾛｼﾏｼ ｺｸﾐﾝｹﾝｺｳﾎｹﾝ"
    debit_bank_code: str = "0001"
    debit_branch_code: str = "001"
    debit_account_type: str = "ordinary"
    debit_account_number: str = "0000001"
