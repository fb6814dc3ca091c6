"""C-85 and the contracts' promise: the network code (符号, the IPN code) appears in no API
schema and no event of the gateway; the public events carry neither the individual number nor
its index, mask or the integrated addressee number."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from kokuho.events.contracts import EventContract
from kokuho.events.contracts import linkage_gateway as contracts
from kokuho.linkage_gateway.bootstrap import build
from kokuho.linkage_gateway.config import Settings
from kokuho.platform.auth import TokenVerifier
from kokuho.platform.token import new_private_key

NETWORK_CODE = ("ipn_code", "network_code", "fugo", "符号")
NEVER_ON_THE_BUS = {
    "individual_number",
    "individual_number_masked",
    "number_index",
    "integrated_addressee_number",
    *NETWORK_CODE,
}


def gateway_events() -> list[type[EventContract]]:
    return [
        c
        for _, c in inspect.getmembers(contracts, inspect.isclass)
        if issubclass(c, EventContract) and c is not EventContract
    ]


def test_no_public_event_has_a_number_field() -> None:
    events = gateway_events()
    assert len(events) >= 5  # every contract of the module, not an empty list
    offending = {
        c.__name__: sorted(set(c.model_json_schema()["properties"]) & NEVER_ON_THE_BUS)
        for c in events
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_no_endpoint_schema_mentions_the_network_code(tmp_path: Path) -> None:
    settings = Settings(
        database_dsn="postgresql://unused:unused@127.0.0.1:1/unused",
        key_directory=tmp_path / "keys",
        create_dev_keys=True,
    )
    verifier = TokenVerifier([new_private_key("ES256").public_key()])  # type: ignore[list-item]
    text = json.dumps(build(settings, token_verifier=verifier).openapi(), ensure_ascii=False)
    assert "/api/v1/individual-numbers" in text  # the real schema, not an empty one
    assert [word for word in NETWORK_CODE if word in text.lower()] == []
