"""The fault suite's own checks can fail: a lost event, one effect under two event ids, a
sequence going back and a redelivered event id are each told apart (no infrastructure)."""

from __future__ import annotations

from tests.faults.checks import PREFIX, Message, check_topic, expected_members
from tests.faults.load import Acked

HOUSEHOLD, PERSON = "H1", "4000000001"


def event(offset: int, event_id: str, kind: str, change: str, sequence: int) -> Message:
    data = {"change_id": change, "addressee_number": PERSON, "nhi_household_number": HOUSEHOLD,
            "householder_addressee_number": PERSON, "acquisition_date": "2026-04-01"}  # fmt: skip
    return Message(0, offset, HOUSEHOLD, event_id, f"{PREFIX}{kind}", sequence, data)


def registered(first: int = 1) -> list[Message]:
    return [
        event(first, "e1", "household_registered.v1", "c1", 1),
        event(first + 1, "e2", "qualification_acquired.v1", "c1", 2),
        event(first + 2, "e3", "household_composition_changed.v1", "c1", 3),
    ]


ACKED = [Acked("register", "c1", None, PERSON), Acked("confirm-register", "c1", HOUSEHOLD, PERSON)]


def test_every_event_once_in_order_passes() -> None:
    result = check_topic(ACKED, registered())
    assert (result.expected, result.found) == (3, 3)
    assert [result.lost, result.duplicated, result.unexpected, result.out_of_order] == [[]] * 4


def test_a_missing_event_is_lost() -> None:
    result = check_topic(ACKED, registered()[:2])
    assert len(result.lost) == 1
    assert "household_composition_changed" in result.lost[0]


def test_the_same_effect_under_a_second_event_id_is_a_duplicate() -> None:
    again = event(9, "e9", "qualification_acquired.v1", "c1", 4)
    assert len(check_topic(ACKED, [*registered(), again]).duplicated) == 1


def test_a_redelivered_event_id_is_counted_but_not_a_duplicate() -> None:
    result = check_topic(ACKED, [*registered(), *registered(first=10)])
    assert result.redelivered == 3
    assert [result.duplicated, result.out_of_order] == [[], []]


def test_a_sequence_going_back_is_out_of_order() -> None:
    first, second, third = registered()
    second.offset, third.offset = third.offset, second.offset  # composition before acquisition
    assert len(check_topic(ACKED, [first, second, third]).out_of_order) == 1


def test_an_event_of_an_unacknowledged_change_is_unexpected() -> None:
    stray = event(5, "e5", "qualification_lost.v1", "c-other", 4)
    assert len(check_topic(ACKED, [*registered(), stray]).unexpected) == 1


def test_the_read_model_rows_follow_the_events() -> None:
    rows = expected_members(ACKED, registered())
    assert rows == {(HOUSEHOLD, PERSON, "2026-04-01", None), ("household", HOUSEHOLD, PERSON)}
