from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kokuho.linkage_gateway.domain.resolution import (
    AffairPermit,
    ResolutionNotPermitted,
    ResolutionPolicy,
)
from kokuho.linkage_gateway.domain.vault import (
    Binding,
    BindNumber,
    NoNumberBound,
    NumberBound,
    NumberBoundToAnotherPerson,
    NumberNotAuthentic,
    PersonDied,
    SecondNumberForPerson,
    decide_binding,
    evolve,
)

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def binding(addressee: str, index: str) -> Binding:
    return Binding(addressee, f"999999{addressee}", index, AT)


def command(
    addressee: str = "1000000001", index: str = "idx-1", authentic: bool = True
) -> BindNumber:
    return BindNumber(
        addressee, index, authentic, "" if authentic else "not issued", "0000000000000001", AT
    )


def test_a_new_person_and_a_new_number_are_bound() -> None:
    events = decide_binding(None, None, command())
    assert events == [NumberBound("1000000001", "0000000000000001", "idx-1", AT)]
    state = evolve(None, events[0])
    assert state == Binding("1000000001", "0000000000000001", "idx-1", AT)


def test_the_same_number_again_changes_nothing() -> None:
    assert (
        decide_binding(binding("1000000001", "idx-1"), binding("1000000001", "idx-1"), command())
        == []
    )


def test_a_second_different_number_for_a_person_is_refused() -> None:
    with pytest.raises(SecondNumberForPerson) as caught:
        decide_binding(binding("1000000001", "idx-0"), None, command())
    assert caught.value.addressee_number == "1000000001"
    assert "C-17" in str(caught.value)


def test_one_number_for_two_people_is_refused() -> None:
    with pytest.raises(NumberBoundToAnotherPerson, match="C-75"):
        decide_binding(None, binding("1000000002", "idx-1"), command())


def test_a_number_jlis_does_not_confirm_is_refused() -> None:
    with pytest.raises(NumberNotAuthentic) as caught:
        decide_binding(None, None, command(authentic=False))
    assert caught.value.reason == "not issued"


def test_death_keeps_the_binding_and_marks_it() -> None:
    state = evolve(binding("1000000001", "idx-1"), PersonDied("1000000001", AT))
    assert state is not None
    assert state.deceased
    assert state.number_index == "idx-1"
    with pytest.raises(NoNumberBound):
        evolve(None, PersonDied("1000000009", AT))


POLICY = ResolutionPolicy(
    {"nhi-eligibility": AffairPermit("nhi-eligibility", "Art. 9", frozenset({"linkage.operator"}))}
)


def test_a_permitted_role_resolves_its_affairs_own_subject() -> None:
    permit = POLICY.check(
        addressee_number="1000000001",
        affair="nhi-eligibility",
        roles={"linkage.operator"},
        subject_affairs={"nhi-eligibility"},
    )
    assert permit.legal_basis == "Art. 9"


@pytest.mark.parametrize(
    ("affair", "roles", "subjects", "reason"),
    [
        ("delinquency", {"linkage.operator"}, {"delinquency"}, "no legal basis"),
        ("nhi-eligibility", {"assessment.clerk"}, {"nhi-eligibility"}, "role not permitted"),
        ("nhi-eligibility", {"linkage.operator"}, {"nhi-assessment"}, "not a subject"),
    ],
)
def test_resolution_outside_the_permits_is_refused(
    affair: str, roles: set[str], subjects: set[str], reason: str
) -> None:
    with pytest.raises(ResolutionNotPermitted, match=reason):
        POLICY.check(
            addressee_number="1000000001", affair=affair, roles=roles, subject_affairs=subjects
        )
