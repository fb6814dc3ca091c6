"""マイナ保険証 states (issue 14): which reports are news, which are refused, and the fetch that
converts them to the addressee number and publishes each state once (in memory; the same on
PostgreSQL and Kafka in ``integration/test_card_states.py``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

import pytest

from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.memory import InMemoryCardStates, InMemoryGatewayUnit
from kokuho.linkage_gateway.app.card_status import publish_card_states
from kokuho.linkage_gateway.app.ports import GatewayUnitPort
from kokuho.linkage_gateway.domain.card_status import (
    STATUSES,
    CardStateReport,
    PublishedCardState,
    is_news,
    refusal,
)
from kokuho.platform.unit_of_work import RecordingAudit

IAN = "2000000000000001"
WHO = "1000000001"
AT = datetime(2026, 12, 1, 9, tzinfo=UTC)


def report(
    status: str = "registered",
    expires: date | None = date(2030, 5, 31),
    as_of: date = date(2026, 12, 1),
    ian: str = IAN,
) -> CardStateReport:
    return CardStateReport(ian, status, expires, as_of)


def test_a_first_state_is_news() -> None:
    assert is_news(report(), None)


def test_the_same_state_again_is_not_news() -> None:
    last = PublishedCardState("registered", date(2030, 5, 31), date(2026, 11, 1))
    assert not is_news(report(as_of=date(2026, 12, 1)), last)


def test_a_new_status_or_expiry_is_news_from_the_same_day_on() -> None:
    last = PublishedCardState("registered", date(2030, 5, 31), date(2026, 12, 1))
    assert is_news(report("registration_cancelled", as_of=date(2026, 12, 1)), last)
    assert is_news(report(expires=date(2035, 5, 31), as_of=date(2026, 12, 1)), last)
    assert is_news(report(expires=None, as_of=date(2026, 12, 2)), last)


def test_a_report_older_than_the_published_state_is_not_news() -> None:
    last = PublishedCardState("registration_cancelled", None, date(2026, 12, 1))
    assert not is_news(report("registered", as_of=date(2026, 11, 30)), last)


@pytest.mark.parametrize("status", sorted(STATUSES))
def test_every_contract_status_is_taken(status: str) -> None:
    expires = None if status == "no_card" else date(2030, 5, 31)
    assert refusal(report(status, expires)) is None


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (report("lost"), "unknown status 'lost'"),
        (report(ian="200000000000001"), "not 16 digits"),
        (report(ian="20000000000000011"), "not 16 digits"),
        (report("no_card", date(2030, 5, 31)), "without a card"),
    ],
)
def test_a_bad_report_is_refused_with_its_reason(bad: CardStateReport, reason: str) -> None:
    found = refusal(bad)
    assert found is not None
    assert reason in found


class Gateway:
    def __init__(self) -> None:
        self.server = IntermediateServerSimulator()
        self.uow = InMemoryGatewayUnit()
        self.uow.linkage.integrated[IAN] = WHO

    @property
    def states(self) -> InMemoryCardStates:
        return self.uow.card_states

    async def fetch(self):  # type: ignore[no-untyped-def]
        return await publish_card_states(
            lambda: cast(GatewayUnitPort, self.uow), self.server, at=AT
        )


async def test_a_state_is_published_once_by_addressee_number() -> None:
    gw = Gateway()
    gw.server.set_card_state(report())
    run = await gw.fetch()
    assert (run.reported, run.published, run.unchanged) == (1, 1, 0)
    [event] = gw.states.published_events
    assert event.addressee_number == WHO
    assert (event.status, event.e_certificate_expires_on, event.as_of) == (
        "registered",
        date(2030, 5, 31),
        date(2026, 12, 1),
    )
    assert IAN not in event.model_dump_json()  # only the addressee number leaves

    again = await gw.fetch()  # the same state again: nothing published
    assert (again.published, again.unchanged) == (0, 1)
    assert len(gw.states.published_events) == 1

    gw.server.set_card_state(report("registration_cancelled", None, date(2026, 12, 2)))
    changed = await gw.fetch()
    assert changed.published == 1
    assert [e.status for e in gw.states.published_events] == [
        "registered",
        "registration_cancelled",
    ]
    audit = cast(RecordingAudit, gw.uow.audit).records
    assert [a["subjects"] for a in audit] == [[WHO], [], [WHO]]


async def test_unknown_persons_and_refused_states_publish_nothing() -> None:
    gw = Gateway()
    gw.server.set_card_state(report(ian="2000000000000099"))  # not bound here
    gw.server.set_card_state(report("lost", ian="2000000000000002"))
    run = await gw.fetch()
    assert (run.published, run.unknown_person) == (0, 1)
    [refused] = run.refused
    assert "unknown status" in refused
    assert "2000000000000002" not in refused  # position and reason only
    assert gw.states.published_events == []


async def test_a_stale_compare_and_set_is_refused() -> None:
    states = InMemoryCardStates()
    assert await states.replace(WHO, report(), None, AT)
    # a second run that read "nothing published" before the first set it publishes nothing
    assert not await states.replace(WHO, report("registration_cancelled", None), None, AT)
    assert states.rows[WHO].status == "registered"
