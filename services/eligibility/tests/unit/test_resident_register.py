"""The resident-register intake (SF-Q03, ADR 0015): the routing rule at its boundaries, the
feed format's refusals, and the use cases on the in-memory unit (a death becomes a pending ex
officio loss one clerk confirms, a move in a work-list item due on the 14th day, an unknown
person a review, the same change twice nothing)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from kokuho.eligibility.adapters.memory import InMemoryEligibilityUnit
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.changes import ConfirmChange, EnterChange, confirm_change, enter_change
from kokuho.eligibility.app.ports import Eligibility
from kokuho.eligibility.app.register_feed import (
    INDIVIDUAL_NUMBER_REFUSED,
    FeedChange,
    parse_lines,
)
from kokuho.eligibility.app.register_intake import (
    ChangeIdTaken,
    RegisterFileRejected,
    Taken,
    take_in,
    take_in_file,
)
from kokuho.eligibility.app.register_lists import (
    ItemAlreadyClosed,
    close_item,
    intake_of,
    list_items,
)
from kokuho.eligibility.app.register_pull import (
    FeedUnavailable,
    RegisterIntake,
    pull_feed,
    run_feed,
)
from kokuho.eligibility.domain import resident_register as d
from kokuho.eligibility.parameters import load_rules
from kokuho.eligibility.parameters.register import load_intake_parameters
from kokuho.events.contracts import eligibility as ce
from kokuho.events.individual_numbers import check_digit

RULES = load_rules()
PARAMETERS = load_intake_parameters()
NOW = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
HEAD, SPOUSE, STRANGER = "1000000101", "1000000102", "1000000199"
FACT = date(2026, 12, 1)


def change(kind: str, addressee: str = SPOUSE, change_id: str = "R1", **extra: Any) -> FeedChange:
    raw: dict[str, Any] = {
        "change_id": change_id,
        "kind": kind,
        "addressee_number": addressee,
        "fact_date": "2026-12-01",
        "notified_date": "2026-12-02",
        **extra,
    }
    return FeedChange.model_validate(raw)


NEWCOMER = {
    "name": "転入　太郎",
    "name_kana": "テンニュウ　タロウ",
    "sex": "male",
    "birth_date": "1990-01-01",
    "address": "広島市中区架空町2-2",
}


# --- the rule ------------------------------------------------------------------------------

INSURED = d.Known("2000000001", date(2026, 4, 1), None, {"name": "架空　花子"})


def test_the_work_item_is_due_on_the_14th_day_after_the_fact() -> None:
    routed = d.route(change("moved_in", details=NEWCOMER).to_domain(), d.Known(), 14)
    assert routed == d.WorkItem(date(2026, 12, 15), None)
    assert PARAMETERS.due_days == 14


def test_a_death_of_an_insured_person_is_a_pending_loss() -> None:
    routed = d.route(change("death").to_domain(), INSURED, 14)
    assert routed == d.PendingLoss("2000000001", "death")


def test_a_death_on_the_acquisition_day_is_a_loss_and_the_day_before_a_review() -> None:
    on_the_day = d.Known("2000000001", FACT, None, None)
    assert isinstance(d.route(change("death").to_domain(), on_the_day, 14), d.PendingLoss)
    later = d.Known("2000000001", date(2026, 12, 2), None, None)
    routed = d.route(change("death").to_domain(), later, 14)
    assert isinstance(routed, d.Review)
    assert routed.reason_code == "fact-before-acquisition"


def test_unknown_and_not_insured_persons_go_to_review() -> None:
    unknown = d.route(change("death").to_domain(), d.Known(), 14)
    assert isinstance(unknown, d.Review)
    assert unknown.reason_code == "unknown-person"
    lost = d.Known(None, None, date(2026, 5, 1), {"name": "架空　花子"})
    routed = d.route(change("moved_out").to_domain(), lost, 14)
    assert isinstance(routed, d.Review)
    assert routed.reason_code == "not-insured"


def test_a_move_out_under_a_special_case_is_a_review_a_death_is_not() -> None:
    student = d.Known("2000000001", date(2026, 4, 1), None, None, frozenset({"student"}))
    routed = d.route(change("moved_out").to_domain(), student, 14)
    assert isinstance(routed, d.Review)
    assert routed.reason_code == "special-case-active"
    assert isinstance(d.route(change("death").to_domain(), student, 14), d.PendingLoss)


def test_a_move_in_of_someone_insured_here_contradicts_the_record() -> None:
    routed = d.route(change("moved_in", details=NEWCOMER).to_domain(), INSURED, 14)
    assert isinstance(routed, d.Review)
    assert routed.reason_code == "already-insured"


def test_a_name_change_that_also_changes_the_birth_date_is_a_contradiction() -> None:
    known = d.Known(
        "2000000001", date(2026, 4, 1), None, {"name": "架空　花子", "birth_date": date(1980, 1, 1)}
    )
    details = {"name": "新姓　花子", "name_kana": "シンセイ　ハナコ", "birth_date": "1981-01-01"}
    routed = d.route(change("name_changed", details=details).to_domain(), known, 14)
    assert isinstance(routed, d.Review)
    assert routed.reason_code == "contradicts-record"
    same = {"name": "架空　花子", "name_kana": "カクウ　ハナコ"}
    as_held = d.Known(
        "2000000001", date(2026, 4, 1), None, {"name": "架空　花子", "name_kana": "カクウ　ハナコ"}
    )
    assert isinstance(
        d.route(change("name_changed", details=same).to_domain(), as_held, 14), d.AlreadySo
    )


def test_a_notification_before_the_fact_is_a_review() -> None:
    raw = change("death").model_dump(mode="json") | {"notified_date": "2026-11-30"}
    routed = d.route(FeedChange.model_validate(raw).to_domain(), INSURED, 14)
    assert isinstance(routed, d.Review)
    assert routed.reason_code == "notified-before-fact"


# --- the format ----------------------------------------------------------------------------


def a_number() -> str:
    first = "12345678901"
    return first + str(check_digit(first))


def test_a_file_with_an_individual_number_is_refused_naming_the_line_never_the_value() -> None:
    good = json.dumps(change("death").model_dump(mode="json"))
    bad = json.dumps(change("death", change_id="R2").model_dump(mode="json") | {"note": a_number()})
    _changes, errors = parse_lines(f"{good}\n{bad}\n")
    assert [(x.line, x.reason) for x in errors] == [(2, INDIVIDUAL_NUMBER_REFUSED)]
    assert all(a_number() not in x.reason for x in errors)


def test_undeclared_fields_bad_json_and_missing_details_are_refused_by_line() -> None:
    good = change("death").model_dump(mode="json")
    lines = [
        json.dumps(good | {"individual_number": "x"}),
        "{not json",
        json.dumps(good | {"change_id": "R3", "kind": "moved_in"}),
        json.dumps(good | {"change_id": "R4", "addressee_number": "123"}),
        json.dumps(
            good | {"change_id": "R1", "fact_date": "2026-11-30"}
        ),  # R1 again, other content
        json.dumps(good),
    ]
    _, errors = parse_lines("\n".join(lines))
    assert [x.line for x in errors] == [1, 2, 3, 4, 6]
    assert "individual_number" in errors[0].reason
    assert "moved_in needs details" in errors[2].reason
    assert "addressee_number" in errors[3].reason
    assert "line 5" in errors[4].reason


def test_an_empty_file_is_refused() -> None:
    _, errors = parse_lines("\n\n")
    assert [x.reason for x in errors] == ["the file holds no change"]


# --- the use cases on the in-memory unit ----------------------------------------------------


@pytest.fixture
def ports() -> Eligibility:
    return Eligibility(RULES, clock=lambda: NOW)


@pytest.fixture
def unit() -> InMemoryEligibilityUnit:
    return InMemoryEligibilityUnit()


def details(name: str, kana: str, birth: date) -> rq.PersonalDetails:
    return rq.PersonalDetails(
        name=name, name_kana=kana, sex="female", birth_date=birth, address="広島市中区架空町1-1"
    )


async def household(unit: InMemoryEligibilityUnit, ports: Eligibility) -> str:
    members = [
        rq.MemberIn(
            addressee_number=HEAD,
            reason="moved_in",
            fact_date=date(2026, 4, 1),
            notification_date=date(2026, 4, 2),
            relationship="householder",
            details=details("架空　一子", "カクウ　イチコ", date(1970, 1, 1)),
        ),
        rq.MemberIn(
            addressee_number=SPOUSE,
            reason="moved_in",
            fact_date=date(2026, 4, 1),
            notification_date=date(2026, 4, 2),
            relationship="spouse",
            details=details("架空　花子", "カクウ　ハナコ", date(1972, 2, 2)),
        ),
    ]
    body = rq.RegisterHouseholdIn(
        householder_addressee_number=HEAD,
        members=members,
        identity_verification=rq.IdentityVerification(method="mn_card"),
    )
    entered = await enter_change(unit, ports, EnterChange("register_household", body, "clerk-a"))
    await confirm_change(unit, ports, ConfirmChange(entered.change_id, "clerk-b"))
    return entered.nhi_household_number


async def test_a_death_becomes_a_loss_after_one_clerk_and_twice_is_nothing(
    unit: InMemoryEligibilityUnit, ports: Eligibility
) -> None:
    number = await household(unit, ports)
    death = change("death")
    taken = await take_in(unit, ports, PARAMETERS, death, "feed")
    assert taken.outcome == "pending-change"
    assert taken.change_id is not None
    published = len(unit.events.outbox)
    assert await take_in(unit, ports, PARAMETERS, death, "feed") == Taken("R1", "duplicate")
    assert len(unit.events.outbox) == published  # nothing published before the clerk confirms

    done = await confirm_change(unit, ports, ConfirmChange(taken.change_id, "clerk-a"))
    lost = [x for x in done.events if isinstance(x, ce.QualificationLost)]
    assert [(x.addressee_number, x.loss_reason, x.loss_date) for x in lost] == [
        (SPOUSE, "death", date(2026, 12, 2))
    ]
    assert lost[0].ex_officio
    assert lost[0].entered_by == "resident-register:feed"
    assert lost[0].confirmed_by == "clerk-a"
    assert lost[0].nhi_household_number == number
    record = await intake_of(unit, "R1")
    assert record["outcome"] == "pending-change"
    assert record["change_status"] == "confirmed"
    # the same change again, after confirmation: still nothing
    assert (await take_in(unit, ports, PARAMETERS, death, "file:x")).outcome == "duplicate"
    # the same id with other content is refused, never applied
    other = change("moved_out")
    with pytest.raises(ChangeIdTaken):
        await take_in(unit, ports, PARAMETERS, other, "feed")


async def test_a_move_in_is_a_work_item_and_an_unknown_death_a_review(
    unit: InMemoryEligibilityUnit, ports: Eligibility
) -> None:
    await household(unit, ports)
    moved_in = change("moved_in", STRANGER, "R10", details=NEWCOMER)
    taken = await take_in(unit, ports, PARAMETERS, moved_in, "feed")
    assert taken.outcome == "work-item"
    unknown = await take_in(unit, ports, PARAMETERS, change("death", "1000000198", "R11"), "feed")
    assert unknown.outcome == "review"
    work = await list_items(unit, "work", True, 50, None)
    assert [(i["addressee_number"], i["due_date"]) for i in work.items] == [
        (STRANGER, date(2026, 12, 15))
    ]
    assert work.items[0]["register_details"]["details"]["name"] == "転入　太郎"
    reviews = await list_items(unit, "review", True, 50, None)
    assert [(i["addressee_number"], i["reason_code"]) for i in reviews.items] == [
        ("1000000198", "unknown-person")
    ]
    closed = await close_item(unit, ports, work.items[0]["item_id"], "joined", "clerk-c")
    assert closed["status"] == "closed"
    assert closed["closed_by"] == "clerk-c"
    assert (await list_items(unit, "work", True, 50, None)).items == []
    with pytest.raises(ItemAlreadyClosed):
        await close_item(unit, ports, work.items[0]["item_id"], "joined", "clerk-c")


async def test_a_name_change_is_a_pending_details_change(
    unit: InMemoryEligibilityUnit, ports: Eligibility
) -> None:
    await household(unit, ports)
    renamed = change(
        "name_changed", details={"name": "新姓　花子", "name_kana": "シンセイ　ハナコ"}
    )
    taken = await take_in(unit, ports, PARAMETERS, renamed, "feed")
    assert taken.outcome == "pending-change"
    assert taken.change_id is not None
    done = await confirm_change(unit, ports, ConfirmChange(taken.change_id, "clerk-b"))
    changed = [x for x in done.events if isinstance(x, ce.PersonalDetailsChanged)]
    assert changed
    assert set(changed[0].changed_fields) == {"name", "name_kana"}
    held = await unit.persons.details(SPOUSE)
    assert held is not None
    assert held.name == "新姓　花子"
    assert held.address == "広島市中区架空町1-1"


async def test_a_loss_the_rules_refuse_goes_to_review_with_the_rule(
    unit: InMemoryEligibilityUnit, ports: Eligibility
) -> None:
    await household(unit, ports)
    raw = change("death").model_dump(mode="json") | {
        "fact_date": "2026-12-10",
        "notified_date": "2026-12-10",
    }
    taken = await take_in(unit, ports, PARAMETERS, FeedChange.model_validate(raw), "feed")
    assert taken.outcome == "review"  # a death after today: the rules refuse a fact in the future
    reviews = await list_items(unit, "review", True, 50, None)
    assert reviews.items[0]["reason_code"] == "date-in-future"


async def test_a_file_is_all_or_nothing(unit: InMemoryEligibilityUnit, ports: Eligibility) -> None:
    await household(unit, ports)
    good = json.dumps(change("death").model_dump(mode="json"))
    with pytest.raises(RegisterFileRejected) as refused:
        await take_in_file(unit, ports, PARAMETERS, "day.jsonl", f"{good}\nnot json\n")
    assert [x.line for x in refused.value.errors] == [2]
    assert unit.register.changes == {}
    result = await take_in_file(unit, ports, PARAMETERS, "day.jsonl", f"{good}\n{good}\n")
    assert result.counts == {"pending-change": 1, "duplicate": 1}
    again = await take_in_file(unit, ports, PARAMETERS, "day.jsonl", f"{good}\n")
    assert again.counts == {"duplicate": 1}


async def test_the_feed_is_read_after_the_last_sequence_and_stops_at_a_refused_change(
    ports: Eligibility,
) -> None:
    unit = InMemoryEligibilityUnit()
    feed = [
        change("moved_in", STRANGER, "R20", details=NEWCOMER, sequence=1).model_dump(mode="json"),
        change("death", "1000000198", "R21", sequence=2).model_dump(mode="json"),
        {"change_id": "R22", "sequence": 3, "kind": "death", "addressee_number": a_number()},
        change("death", "1000000197", "R23", sequence=4).model_dump(mode="json"),
    ]
    reads: list[int] = []

    async def read(after: int, limit: int) -> list[dict[str, Any]]:
        reads.append(after)
        return [x for x in feed if x["sequence"] > after][:limit]

    result = await pull_feed(lambda: unit, ports, PARAMETERS, "feed", read)
    assert result.counts == {"work-item": 1, "review": 1}
    assert (result.last_sequence, result.stopped_at) == (2, 3)
    assert result.reason == INDIVIDUAL_NUMBER_REFUSED
    assert await unit.register.last_sequence("feed") == 2
    feed[2] = change("death", "1000000196", "R22", sequence=3).model_dump(mode="json")
    second = await pull_feed(lambda: unit, ports, PARAMETERS, "feed", read)
    assert (second.read, second.last_sequence, second.stopped_at) == (2, 4, None)
    third = await pull_feed(lambda: unit, ports, PARAMETERS, "feed", read)
    assert third.read == 0
    assert reads[-1] == 4


async def test_a_second_death_while_the_first_waits_is_a_review_not_a_second_change(
    unit: InMemoryEligibilityUnit, ports: Eligibility
) -> None:
    await household(unit, ports)
    first = await take_in(unit, ports, PARAMETERS, change("death"), "feed")
    assert first.outcome == "pending-change"
    second = await take_in(unit, ports, PARAMETERS, change("death", change_id="R2"), "feed")
    assert second.outcome == "review"
    reviews = await list_items(unit, "review", True, 50, None)
    assert [i["reason_code"] for i in reviews.items] == ["change-pending"]
    assert first.change_id is not None
    await confirm_change(unit, ports, ConfirmChange(first.change_id, "clerk-b"))
    # once decided, a third report of the same death contradicts the record (not insured)
    third = await take_in(unit, ports, PARAMETERS, change("death", change_id="R3"), "feed")
    assert third.outcome == "review"


async def test_the_householders_death_also_puts_the_household_on_the_work_list(
    unit: InMemoryEligibilityUnit, ports: Eligibility
) -> None:
    number = await household(unit, ports)
    taken = await take_in(unit, ports, PARAMETERS, change("death", HEAD, "R30"), "feed")
    assert taken.outcome == "pending-change"
    assert taken.item_id is not None
    work = await list_items(unit, "work", True, 50, None)
    assert [(i["nhi_household_number"], i["reason_code"], i["due_date"]) for i in work.items] == [
        (number, "householder-change-needed", date(2026, 12, 15))
    ]
    # a member who is not the householder: the loss alone
    spouse = await take_in(unit, ports, PARAMETERS, change("moved_out", SPOUSE, "R31"), "feed")
    assert spouse.item_id is None


async def test_serve_reads_the_feed_until_stopped_and_survives_a_failed_read(
    ports: Eligibility,
) -> None:
    import asyncio

    unit = InMemoryEligibilityUnit()
    stop = asyncio.Event()
    calls: list[int] = []

    async def read(after: int, limit: int) -> list[dict[str, Any]]:
        calls.append(after)
        if len(calls) == 1:
            raise FeedUnavailable("resident register unreachable")
        if after == 0:
            return [
                change("moved_in", STRANGER, "R40", details=NEWCOMER, sequence=1).model_dump(
                    mode="json"
                )
            ]
        stop.set()
        return []

    intake = RegisterIntake(PARAMETERS, "feed", read)
    await asyncio.wait_for(run_feed(lambda: unit, ports, intake, 0.01, stop), timeout=10)
    assert calls[:3] == [0, 0, 1]
    assert await unit.register.last_sequence("feed") == 1
