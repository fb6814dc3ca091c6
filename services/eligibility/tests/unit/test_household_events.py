"""Household decisions compared event by event, every field included: what the aggregate
appends is what the other services read, so a field left out or mixed up is a contract change.
Also the boundaries that allow something on the very day (loss on the acquisition day,
re-acquisition on the day of the loss, the last issue day of a limit certificate)."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import (
    Household,
    decide,
    decide_merge,
    decide_split,
    evolve,
    initial,
)
from kokuho.eligibility.parameters import load_rules

RULES = load_rules()
TODAY = date(2026, 11, 26)
HH = "2000000001"
NEW = "2000000002"
HEAD = "1000000001"
SPOUSE = "1000000002"
CHILD = "1000000003"
GRANDCHILD = "1000000004"
START = date(2025, 4, 1)
D = date(2026, 6, 1)
LATE = date(2026, 6, 20)  # more than 14 days after D
DOC = "eligibility_confirmation_document"
NOTICE = "eligibility_information_notice"

BIRTHS = {
    HEAD: date(1980, 5, 5),
    SPOUSE: date(1981, 7, 7),
    CHILD: date(2006, 4, 1),
    GRANDCHILD: date(2024, 1, 1),
}
RELATIONSHIPS = {HEAD: "householder", SPOUSE: "spouse", CHILD: "child", GRANDCHILD: "grandchild"}


def insured(addressee: str) -> str:
    return "3" + addressee[-7:]


def acquire(
    addressee: str,
    relationship: str,
    birth: date,
    *,
    reason: str = "moved_in",
    fact: date = START,
    notified: date | None = None,
) -> c.AcquireQualification:
    return c.AcquireQualification(
        addressee, insured(addressee), reason, fact, notified or fact, birth, relationship, TODAY
    )


def apply(state: Household, command: c.Command) -> tuple[Household, list[ev.Event]]:
    events = decide(state, command, RULES)
    return replay(state, events), events


def replay(state: Household, events: list[ev.Event]) -> Household:
    for event in events:
        state = evolve(state, event)
    return state


def household(*who: str, head: str = HEAD, number: str = HH) -> Household:
    acquisitions = tuple(acquire(a, RELATIONSHIPS[a], BIRTHS[a]) for a in who)
    return apply(initial(number), c.RegisterHousehold(number, head, acquisitions))[0]


def family() -> Household:
    return household(HEAD, SPOUSE, CHILD, GRANDCHILD)


def row(addressee: str, *, relationship: str = "", former: bool = False) -> ev.HouseholdMember:
    return ev.HouseholdMember(
        addressee,
        insured(addressee),
        BIRTHS[addressee],
        relationship or RELATIONSHIPS[addressee],
        START,
        former,
    )


def composition(
    on: date,
    *members: ev.HouseholdMember,
    head: str = HEAD,
    deemed: bool = False,
    specified: tuple[str, ...] = (),
    number: str = HH,
) -> ev.HouseholdCompositionChanged:
    return ev.HouseholdCompositionChanged(
        number, on, head, deemed, tuple(members), specified, dissolved=not members
    )


FAMILY_ROWS = (row(HEAD), row(SPOUSE), row(CHILD), row(GRANDCHILD))


# --- registration and acquisition -----------------------------------------------------------


def test_registration_events_in_full() -> None:
    spouse = acquire(SPOUSE, "spouse", BIRTHS[SPOUSE], reason="left_employee_insurance")
    _, events = apply(
        initial(HH),
        c.RegisterHousehold(HH, HEAD, (acquire(HEAD, "householder", BIRTHS[HEAD]), spouse)),
    )
    assert events == [
        ev.HouseholdRegistered(HH, HEAD, False, START),
        ev.QualificationAcquired(
            HEAD, HH, insured(HEAD), RULES.card_symbol, HH, "01", START, "moved_in", START,
            START, False, BIRTHS[HEAD], "householder", HEAD,
        ),
        ev.QualificationAcquired(
            SPOUSE, HH, insured(SPOUSE), RULES.card_symbol, HH, "02", date(2025, 4, 2),
            "left_employee_insurance", START, START, False, BIRTHS[SPOUSE], "spouse", HEAD,
        ),
        # dated by the latest acquisition
        composition(
            date(2025, 4, 2), row(HEAD), ev.HouseholdMember(
                SPOUSE, insured(SPOUSE), BIRTHS[SPOUSE], "spouse", date(2025, 4, 2)
            )
        ),
    ]  # fmt: skip


def test_a_late_acquisition_in_full() -> None:
    born = date(2026, 5, 30)
    _, events = apply(
        family(),
        acquire("1000000005", "grandchild", born, reason="birth", fact=born, notified=LATE),
    )
    assert events == [
        ev.QualificationAcquired(
            "1000000005", HH, insured("1000000005"), RULES.card_symbol, HH, "05", born, "birth",
            born, LATE, True, born, "grandchild", HEAD,
        ),
        composition(
            born, *FAMILY_ROWS, ev.HouseholdMember(
                "1000000005", insured("1000000005"), born, "grandchild", born
            )
        ),
    ]  # fmt: skip


def test_reacquiring_on_the_day_the_earlier_period_ended_is_allowed() -> None:
    state, _ = apply(
        family(), c.LoseQualification(SPOUSE, "joined_employee_insurance", D, D, TODAY)
    )
    assert state.members[SPOUSE].loss_date == date(2026, 6, 2)
    again = acquire(SPOUSE, "spouse", BIRTHS[SPOUSE], reason="left_employee_insurance", fact=D)
    _, events = apply(state, again)
    (acquired,) = [x for x in events if isinstance(x, ev.QualificationAcquired)]
    assert (acquired.acquisition_date, acquired.branch_number) == (date(2026, 6, 2), "02")


# --- loss -----------------------------------------------------------------------------------


def with_documents(state: Household) -> Household:
    state, _ = apply(state, c.IssueCertificate("c1", DOC, SPOUSE, START))
    state, _ = apply(state, c.IssueCertificate("c2", NOTICE, HEAD, START))
    state, _ = apply(state, c.IssueCertificate("c3", DOC, CHILD, START))
    return state


def test_a_loss_collects_only_the_persons_open_certificates_and_names_no_specified_member() -> None:
    state = with_documents(family())
    _, events = apply(
        state, c.LoseQualification(SPOUSE, "death", date(2026, 5, 31), date(2026, 6, 2), TODAY)
    )
    assert events == [
        ev.QualificationLost(
            SPOUSE, HH, insured(SPOUSE), D, "death", date(2026, 5, 31), date(2026, 6, 2),
            False, False,
        ),
        ev.CertificateCollected("c1", DOC, SPOUSE, HH, D, "qualification_lost"),
        composition(D, row(HEAD), row(CHILD), row(GRANDCHILD)),
    ]  # fmt: skip


def test_a_loss_on_the_acquisition_day_is_allowed() -> None:
    _, events = apply(
        family(), c.LoseQualification(SPOUSE, "public_assistance_started", START, START, TODAY)
    )
    assert events[0] == ev.QualificationLost(
        SPOUSE, HH, insured(SPOUSE), START, "public_assistance_started", START, START, False, True
    )


def test_a_loss_for_reason_other_takes_the_date_entered() -> None:
    loss = c.LoseQualification(SPOUSE, "other", D, D, TODAY, date(2026, 6, 5))
    _, events = apply(family(), loss)
    assert events == [
        ev.QualificationLost(
            SPOUSE, HH, insured(SPOUSE), date(2026, 6, 5), "other", D, D, False, False
        ),
        composition(date(2026, 6, 5), row(HEAD), row(CHILD), row(GRANDCHILD)),
    ]


def test_turning_75_and_the_end_of_the_household_in_full() -> None:
    BIRTHS["1000000006"] = date(1951, 6, 15)
    RELATIONSHIPS["1000000006"] = "householder"
    try:
        state = household("1000000006", SPOUSE, head="1000000006")
        birthday = date(2026, 6, 15)
        state, events = apply(
            state, c.LoseQualification("1000000006", "turned_75", birthday, birthday, TODAY)
        )
        assert events == [
            ev.QualificationLost(
                "1000000006", HH, insured("1000000006"), birthday, "turned_75", birthday,
                birthday, False, True,
            ),
            ev.SpecifiedSameHouseholdMemberChanged("1000000006", HH, birthday),
            composition(
                birthday, row(SPOUSE), head="1000000006", deemed=True, specified=("1000000006",)
            ),
        ]  # fmt: skip
        end = date(2026, 9, 1)
        _, events = apply(state, c.LoseQualification(SPOUSE, "moved_out", end, end, TODAY))
        assert events == [
            ev.QualificationLost(
                SPOUSE, HH, insured(SPOUSE), date(2026, 9, 2), "moved_out", end, end, False, False
            ),
            ev.SpecifiedSameHouseholdMemberChanged("1000000006", HH, birthday, date(2026, 9, 2)),
            composition(date(2026, 9, 2), head="1000000006", deemed=True),
        ]
    finally:
        del BIRTHS["1000000006"], RELATIONSHIPS["1000000006"]


# --- householder, relationship, details, correction -----------------------------------------


def test_householder_change_in_full() -> None:
    _, events = apply(family(), c.ChangeHouseholder(SPOUSE, D, LATE, TODAY, "spouse"))
    assert events == [
        ev.HouseholderChanged(HH, HEAD, SPOUSE, False, D, LATE, True),
        ev.RelationshipChanged(HEAD, HH, "spouse", D),
        ev.RelationshipChanged(SPOUSE, HH, "householder", D),
        composition(
            D,
            row(HEAD, relationship="spouse"),
            row(SPOUSE, relationship="householder"),
            row(CHILD),
            row(GRANDCHILD),
            head=SPOUSE,
        ),
    ]


def test_a_previous_householder_who_is_not_insured_gets_no_relationship() -> None:
    deemed = household(SPOUSE, CHILD)  # HEAD heads the household without being insured in it
    _, events = apply(deemed, c.ChangeHouseholder(SPOUSE, D, D, TODAY, "spouse"))
    assert events == [
        ev.HouseholderChanged(HH, HEAD, SPOUSE, False, D, D, False),
        ev.RelationshipChanged(SPOUSE, HH, "householder", D),
        composition(D, row(SPOUSE, relationship="householder"), row(CHILD), head=SPOUSE),
    ]


def test_a_previous_householder_who_lost_the_qualification_needs_no_relationship() -> None:
    state, _ = apply(family(), c.LoseQualification(HEAD, "joined_employee_insurance", D, D, TODAY))
    _, events = apply(state, c.ChangeHouseholder(SPOUSE, D, D, TODAY))
    assert events[:2] == [
        ev.HouseholderChanged(HH, HEAD, SPOUSE, False, D, D, False),
        ev.RelationshipChanged(SPOUSE, HH, "householder", D),
    ]


def test_relationship_change_in_full() -> None:
    _, events = apply(family(), c.ChangeRelationship(GRANDCHILD, "other_relative", D, TODAY))
    assert events == [
        ev.RelationshipChanged(GRANDCHILD, HH, "other_relative", D),
        composition(
            D, row(HEAD), row(SPOUSE), row(CHILD), row(GRANDCHILD, relationship="other_relative")
        ),
    ]


def test_personal_details_of_a_deemed_householder_and_a_birth_date_only_when_named() -> None:
    deemed = household(SPOUSE, CHILD)
    _, events = apply(deemed, c.ChangePersonalDetails(HEAD, ("name",), D, LATE, TODAY))
    assert events == [ev.PersonalDetailsChanged(HEAD, HH, ("name",), D, LATE, True)]
    _, events = apply(
        deemed,
        c.ChangePersonalDetails(SPOUSE, ("name", "address", "name"), D, D, TODAY, date(1981, 7, 8)),
    )
    assert events == [ev.PersonalDetailsChanged(SPOUSE, HH, ("address", "name"), D, D, False)]


def test_correction_in_full_and_the_corrected_period_is_kept() -> None:
    correction = c.CorrectQualification(SPOUSE, START, "moved_in", START, "death", "R07", "誤り")
    state, events = apply(family(), correction)
    assert events == [
        ev.QualificationCorrected(SPOUSE, HH, insured(SPOUSE), START, "moved_in", START, "death",
                                  "R07"),
        composition(START, row(HEAD), row(CHILD), row(GRANDCHILD)),
    ]  # fmt: skip
    with pytest.raises(e.NothingChanged):
        apply(state, correction)  # the state holds the corrected loss date and reason


def test_a_lost_member_keeps_the_loss_reason() -> None:
    state, _ = apply(family(), c.LoseQualification(SPOUSE, "death", D, D, TODAY))
    same = c.CorrectQualification(SPOUSE, START, "moved_in", date(2026, 6, 2), "death", "R", "x")
    with pytest.raises(e.NothingChanged):
        apply(state, same)


# --- special statuses -----------------------------------------------------------------------


def test_special_case_events_in_full() -> None:
    start = c.StartSpecialCase(CHILD, "residence_exception", "hospital", D, LATE, TODAY)
    state, events = apply(family(), start)
    assert events == [
        ev.SpecialCaseStarted(CHILD, HH, "residence_exception", "hospital", D, LATE, True)
    ]
    _, events = apply(state, c.EndSpecialCase(CHILD, "residence_exception", TODAY, TODAY))
    assert events == [ev.SpecialCaseEnded(CHILD, HH, "residence_exception", TODAY)]


def test_unemployment_retiree_and_former_dependant_events_in_full() -> None:
    state = family()
    _, events = apply(state, c.RecordInvoluntaryUnemployment(SPOUSE, D, "31", TODAY))
    assert events == [
        ev.InvoluntaryUnemploymentRecorded(SPOUSE, HH, D, "31", date(2026, 6, 2), date(2028, 3, 31))
    ]
    _, events = apply(state, c.RecordRetireeStatus(SPOUSE, "retired_insured", START, TODAY, D))
    assert events == [ev.RetireeStatusRecorded(SPOUSE, HH, "retired_insured", START, D)]
    state, events = apply(state, c.ChangeFormerDependantStatus(SPOUSE, True, D, TODAY))
    assert events == [
        ev.FormerDependantStatusChanged(SPOUSE, HH, True, D),
        composition(D, row(HEAD), row(SPOUSE, former=True), row(CHILD), row(GRANDCHILD)),
    ]
    _, events = apply(state, c.ChangeFormerDependantStatus(SPOUSE, True, D, TODAY, LATE))
    assert events == [
        ev.FormerDependantStatusChanged(SPOUSE, HH, True, D, LATE),
        composition(D, *FAMILY_ROWS),
    ]


# --- certificates and the 70-74 rate --------------------------------------------------------


def test_issue_reissue_and_collect_in_full() -> None:
    state, events = apply(family(), c.IssueCertificate("c1", DOC, SPOUSE, D))
    assert events == [
        ev.CertificateIssued("c1", DOC, SPOUSE, HH, insured(SPOUSE), D, D, date(2031, 5, 31))
    ]
    state, events = apply(state, c.IssueCertificate("c2", DOC, SPOUSE, LATE, "c1"))
    assert events == [
        ev.CertificateCollected("c1", DOC, SPOUSE, HH, LATE, "reissued"),
        ev.CertificateIssued(
            "c2", DOC, SPOUSE, HH, insured(SPOUSE), LATE, LATE, date(2031, 6, 19), None, "c1"
        ),
    ]
    _, events = apply(state, c.CollectCertificate("c2", TODAY, "returned"))
    assert events == [ev.CertificateCollected("c2", DOC, SPOUSE, HH, TODAY, "returned")]


def elderly(birth: date = date(1953, 7, 7)) -> Household:
    return apply(
        initial(HH), c.RegisterHousehold(HH, HEAD, (acquire(HEAD, "householder", birth),))
    )[0]


def test_elderly_recipient_certificate_carries_the_rate_year() -> None:
    # issued on 2024-12-01 at the latest (rules.md 3.4; test_elderly_recipient_certificate.py)
    day = date(2024, 12, 1)
    member = acquire(HEAD, "householder", date(1953, 7, 7), fact=date(2024, 4, 1))
    early = apply(initial(HH), c.RegisterHousehold(HH, HEAD, (member,)))[0]
    _, events = apply(early, c.IssueCertificate("e1", "elderly_recipient_certificate", HEAD, day))
    assert events == [
        ev.CertificateIssued(
            "e1", "elderly_recipient_certificate", HEAD, HH, insured(HEAD), day, day,
            date(2025, 7, 31), 2,
        ),
        ev.CopaymentRateDetermined(
            HEAD, HH, insured(HEAD), 2, date(2024, 8, 1), date(2025, 7, 31), "default"
        ),
    ]  # fmt: skip


def test_a_rate_already_covering_the_first_day_is_not_determined_again() -> None:
    state, _ = apply(elderly(), c.DetermineCopaymentRate(HEAD, D))
    assert state.members[HEAD].copayment_until == date(2026, 7, 31)
    _, events = apply(state, c.IssueCertificate("n1", NOTICE, HEAD, date(2026, 7, 31)))
    assert [type(x) for x in events] == [ev.CertificateIssued]
    _, events = apply(state, c.IssueCertificate("n1", NOTICE, HEAD, date(2026, 8, 1)))
    assert events[1:] == [
        ev.CopaymentRateDetermined(
            HEAD, HH, insured(HEAD), 2, date(2026, 8, 1), date(2027, 7, 31), "default"
        )
    ]


def test_a_record_prints_no_rate_and_determines_none() -> None:
    kind = "specified_disease_certificate"
    _, events = apply(elderly(), c.IssueCertificate("s1", kind, HEAD, D))
    assert events == [ev.CertificateIssued("s1", kind, HEAD, HH, insured(HEAD), D, D, None)]


def test_a_limit_certificate_record_on_the_last_issue_day() -> None:
    last = RULES.limit_certificates_last_issue_date
    early = acquire(HEAD, "householder", BIRTHS[HEAD], fact=date(2024, 4, 1))
    state, _ = apply(initial(HH), c.RegisterHousehold(HH, HEAD, (early,)))
    _, events = apply(state, c.IssueCertificate("l1", "limit_certificate", HEAD, last, None, last))
    assert events == [
        ev.CertificateIssued("l1", "limit_certificate", HEAD, HH, insured(HEAD), last, last, last)
    ]


def test_a_document_issued_between_70_and_the_rate_band_ends_the_day_before_75() -> None:
    state = elderly(date(1956, 5, 15))  # 70 on 2026-05-15, 高齢受給者 from 2026-06-01
    _, events = apply(state, c.IssueCertificate("d1", DOC, HEAD, date(2026, 5, 20)))
    assert events == [
        ev.CertificateIssued(
            "d1", DOC, HEAD, HH, insured(HEAD), date(2026, 5, 20), date(2026, 5, 20),
            date(2031, 5, 14),
        )
    ]  # fmt: skip


# --- split and merge --------------------------------------------------------------------------


def moved(
    addressee: str, card: str, branch: str, relationship: str, *, former: bool = False
) -> ev.MemberMoved:
    return ev.MemberMoved(
        addressee,
        insured(addressee),
        card,
        branch,
        relationship,
        BIRTHS[addressee],
        START,
        "moved_in",
        former,
    )


def test_split_in_full() -> None:
    source = with_documents(family())
    source, _ = apply(source, c.ChangeFormerDependantStatus(GRANDCHILD, True, D, TODAY))
    command = c.SplitHousehold(NEW, CHILD, (CHILD, GRANDCHILD), D, LATE, TODAY)
    source_events, target_events = decide_split(source, initial(NEW), command, RULES)
    split = ev.HouseholdSplit(
        HH,
        NEW,
        CHILD,
        (
            moved(CHILD, NEW, "01", "householder"),
            moved(GRANDCHILD, NEW, "02", "grandchild", former=True),
        ),
        D,
        LATE,
        True,
    )
    assert source_events == [
        split,
        ev.CertificateCollected("c3", DOC, CHILD, HH, D, "details_changed"),
        composition(D, row(HEAD), row(SPOUSE)),
    ]
    assert target_events == [
        ev.HouseholdRegistered(NEW, CHILD, False, D),
        split,
        composition(
            D,
            row(CHILD, relationship="householder"),
            row(GRANDCHILD, former=True),
            head=CHILD,
            number=NEW,
        ),
    ]
    target = replay(initial(NEW), target_events)
    assert target.members[GRANDCHILD].acquisition_reason == "moved_in"


def test_merge_in_full() -> None:
    BIRTHS.update({"1000000010": date(1970, 1, 1), "1000000011": date(1951, 6, 15)})
    RELATIONSHIPS.update({"1000000010": "householder", "1000000011": "parent"})
    try:
        absorbed = household("1000000010", "1000000011", head="1000000010", number=NEW)
        absorbed, _ = apply(absorbed, c.IssueCertificate("a1", DOC, "1000000010", START))
        birthday = date(2026, 6, 15)
        absorbed, _ = apply(
            absorbed, c.LoseQualification("1000000011", "turned_75", birthday, birthday, TODAY)
        )
        absorbed, _ = apply(absorbed, acquire("1000000012", "child", date(2010, 1, 1), fact=D))
        on = date(2026, 7, 1)
        command = c.MergeHousehold(HH, on, date(2026, 7, 20), TODAY)
        absorbed_events, into_events = decide_merge(absorbed, family(), command, RULES)
        merged = ev.HouseholdMerged(
            NEW,
            HH,
            (
                moved("1000000010", HH, "05", "other_relative"),
                ev.MemberMoved(
                    "1000000012", insured("1000000012"), HH, "06", "child", date(2010, 1, 1), D,
                    "moved_in",
                ),
            ),
            on,
            date(2026, 7, 20),
            True,
        )  # fmt: skip
        assert absorbed_events == [
            merged,
            ev.SpecifiedSameHouseholdMemberChanged("1000000011", NEW, birthday, on),
            ev.CertificateCollected("a1", DOC, "1000000010", NEW, on, "details_changed"),
            composition(on, head="1000000010", deemed=True, number=NEW),
        ]
        assert into_events == [
            merged,
            composition(
                on,
                *FAMILY_ROWS,
                row("1000000010", relationship="other_relative"),
                ev.HouseholdMember(
                    "1000000012", insured("1000000012"), date(2010, 1, 1), "child", D
                ),
            ),
        ]  # fmt: skip
    finally:
        for key in ("1000000010", "1000000011"):
            del BIRTHS[key], RELATIONSHIPS[key]


def test_an_event_member_without_its_facts_does_not_stop_the_others() -> None:
    target = replay(initial(NEW), [ev.HouseholdRegistered(NEW, CHILD, False, D)])
    incomplete = ev.MemberMoved(CHILD, insured(CHILD), NEW, "01", "householder")
    complete = moved(GRANDCHILD, NEW, "02", "grandchild")
    after = evolve(target, ev.HouseholdSplit(HH, NEW, CHILD, (incomplete, complete), D, D, False))
    assert list(after.members) == [GRANDCHILD]


def test_an_event_moving_someone_the_household_does_not_hold_changes_nothing_else() -> None:
    state = family()
    stranger = moved(GRANDCHILD, NEW, "01", "householder")
    other = ev.MemberMoved("1000000099", "30000099", NEW, "02", "child")
    after = evolve(state, ev.HouseholdSplit(HH, NEW, GRANDCHILD, (stranger, other), D, D, False))
    assert list(after.members) == [HEAD, SPOUSE, CHILD]


def test_a_former_dependant_acquires_as_one() -> None:
    command = c.AcquireQualification(
        "1000000005", insured("1000000005"), "left_employee_insurance", D, D,
        date(1990, 1, 1), "other_relative", TODAY, former_dependant=True,
    )  # fmt: skip
    state, events = apply(family(), command)
    assert events[0] == ev.QualificationAcquired(
        "1000000005", HH, insured("1000000005"), RULES.card_symbol, HH, "05",
        date(2026, 6, 2), "left_employee_insurance", D, D, False, date(1990, 1, 1),
        "other_relative", HEAD, True,
    )  # fmt: skip
    assert state.members["1000000005"].former_dependant


def test_a_corrected_acquisition_reason_is_kept() -> None:
    correction = c.CorrectQualification(
        SPOUSE, START, "public_assistance_ended", None, None, "R", "x"
    )
    state, _ = apply(family(), correction)
    assert state.members[SPOUSE].acquisition_reason == "public_assistance_ended"
    with pytest.raises(e.NothingChanged):
        apply(state, correction)


def test_a_loss_ends_the_special_cases_even_when_a_correction_undoes_it() -> None:
    state, _ = apply(family(), c.StartSpecialCase(CHILD, "student", None, D, D, TODAY))
    state, _ = apply(state, c.LoseQualification(CHILD, "moved_out", D, D, TODAY))
    undo = c.CorrectQualification(
        CHILD, START, "moved_in", None, None, "R", "loss entered by mistake"
    )
    state, _ = apply(state, undo)
    assert state.members[CHILD].special_cases == frozenset()
    _, events = apply(state, c.StartSpecialCase(CHILD, "student", None, D, D, TODAY))
    assert [type(x) for x in events] == [ev.SpecialCaseStarted]


def test_composition_is_dated_as_asked() -> None:
    from kokuho.eligibility.domain.household import composition as composition_of

    assert composition_of(family(), D) == composition(D, *FAMILY_ROWS)
