"""The table of change kinds: for each kind a clerk can enter, its request model, how the
domain decides it, whom it concerns and what it keeps beside the events. The four-eyes
workflow (``app/changes.py``) is written once for all of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from kokuho.eligibility.app import care_exclusion as cx
from kokuho.eligibility.app import change_commands as cc
from kokuho.eligibility.app import register_requests as rr
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.change_commands import Deciding, Decision, Entry
from kokuho.eligibility.app.ports import EligibilityUnitPort
from kokuho.eligibility.app.streams import Loaded
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain.household import Household, decide
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as ce
from kokuho.platform.models import RequestModel

#: Builds the domain command of a one-household change: (deciding, request, person, state).
Builder = Callable[[Deciding, Any, str | None, Household], Awaitable[c.Command]]
Decider = Callable[[Deciding, Entry, Loaded], Awaitable[Decision]]
#: Personal details to record on confirmation: (addressee, details, as of).
Details = list[tuple[str, rq.PersonalDetails, date]]
#: Facility places to record on confirmation: (addressee, special case kind, name, address).
Places = list[tuple[str, str, str | None, str | None]]
AfterConfirm = Callable[[EligibilityUnitPort, Any, Sequence[EventContract]], Awaitable[None]]


def _none(body: Any, addressee: str | None) -> list[Any]:
    return []


def _person(body: Any, addressee: str | None) -> tuple[str, ...]:
    return (addressee,) if addressee else ()


def _never(body: Any) -> bool:
    return False


@dataclass(frozen=True)
class ChangeKind:
    name: str
    request: type[RequestModel]
    build: Builder | None = None
    decide: Decider | None = None
    subjects: Callable[[Any, str | None], tuple[str, ...]] = _person
    details: Callable[[Any, str | None], Details] = _none
    places: Callable[[Any, str | None], Places] = _none
    ex_officio: Callable[[Any], bool] = _never
    #: A new household number is given at entry (registration: the household; split: the
    #: new household).
    new_household: bool = False
    needs_target: bool = False
    #: The pending change shows the second household's events too (split, not merge).
    preview_other: bool = True
    after_confirm: AfterConfirm | None = None

    async def decision(self, d: Deciding, entry: Entry, loaded: Loaded) -> Decision:
        if self.decide is not None:
            return await self.decide(d, entry, loaded)
        assert self.build is not None
        command = await self.build(d, entry.body, entry.addressee, loaded.state)
        return Decision(decide(loaded.state, command, d.ports.rules))


# --- command builders ---------------------------------------------------------------------


async def _register(d: Deciding, body: Any, _: str | None, state: Household) -> c.Command:
    return await cc.register(d, body, state)


async def _acquire(d: Deciding, body: Any, _: str | None, state: Household) -> c.Command:
    return await cc.acquire(d, body, state)


async def _lose(d: Deciding, body: Any, _: str | None, state: Household) -> c.Command:
    return c.LoseQualification(
        body.addressee_number,
        body.reason,
        body.fact_date,
        body.notification_date,
        d.ports.today(),
        body.effective_date,
    )


async def _householder(d: Deciding, body: Any, _: str | None, state: Household) -> c.Command:
    return c.ChangeHouseholder(
        body.householder_addressee_number,
        body.fact_date,
        body.notification_date,
        d.ports.today(),
        body.previous_householder_relationship,
    )


async def _relationship(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.ChangeRelationship(who, body.relationship, body.fact_date, d.ports.today())


async def _personal(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return await cc.personal_details(d, body, who)


async def _correct(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.CorrectQualification(
        who,
        body.acquisition_date,
        body.acquisition_reason,
        body.loss_date,
        body.loss_reason,
        body.reason_code,
        body.reason,
    )


async def _start_special(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.StartSpecialCase(
        who, body.kind, body.facility_kind, body.fact_date, body.notification_date, d.ports.today()
    )


async def _end_special(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.EndSpecialCase(who, body.kind, body.end_date, d.ports.today())


async def _unemployment(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.RecordInvoluntaryUnemployment(
        who, body.separation_date, body.separation_reason_code, d.ports.today()
    )


async def _former_dependant(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.ChangeFormerDependantStatus(
        who, body.former_dependant, body.since, d.ports.today(), body.until
    )


async def _retiree(d: Deciding, body: Any, who: str | None, _: Household) -> c.Command:
    assert who is not None
    return c.RecordRetireeStatus(who, body.retiree_kind, body.since, d.ports.today(), body.until)


async def _certificate(d: Deciding, body: Any, _: str | None, __: Household) -> c.Command:
    return cc.issue(body)


# --- whom a change concerns, and what it keeps --------------------------------------------


def _register_subjects(body: Any, _: str | None) -> tuple[str, ...]:
    numbers = [m.addressee_number for m in body.members]
    if body.householder_addressee_number not in numbers:
        numbers.insert(0, body.householder_addressee_number)
    return tuple(numbers)


def _split_subjects(body: Any, _: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*body.members, body.new_householder_addressee_number]))


def _register_details(body: Any, _: str | None) -> Details:
    records = [(m.addressee_number, m.details, m.fact_date) for m in body.members]
    if body.householder_details is not None:
        first = min(m.fact_date for m in body.members)
        records.append((body.householder_addressee_number, body.householder_details, first))
    return records


def _member_details(body: Any, _: str | None) -> Details:
    return [(body.member.addressee_number, body.member.details, body.member.fact_date)]


def _householder_details(body: Any, _: str | None) -> Details:
    if body.householder_details is None:
        return []
    return [(body.householder_addressee_number, body.householder_details, body.fact_date)]


def _own_details(body: Any, who: str | None) -> Details:
    return [(who, body.details, body.fact_date)] if who and body.details is not None else []


def _new_householder_details(body: Any, _: str | None) -> Details:
    if body.new_householder_details is None:
        return []
    return [(body.new_householder_addressee_number, body.new_householder_details, body.fact_date)]


def _special_place(body: Any, who: str | None) -> Places:
    return [(who, body.kind, body.facility_name, body.facility_address)] if who else []


def _residence_place(body: Any, who: str | None) -> Places:
    if not who:
        return []
    return [(who, "residence_exception", body.facility_name, body.facility_address)]


def _other_reason(members: Sequence[rq.MemberIn]) -> bool:
    return any(m.reason == "other" for m in members)


async def _certificate_details(
    uow: EligibilityUnitPort, body: Any, contracts: Sequence[EventContract]
) -> None:
    """The record's own items (NHI-Q-40..44; the disease name is health data and stays in
    this database, never in an event)."""
    (issued,) = [x for x in contracts if isinstance(x, ce.CertificateIssued)]
    record = {
        "limit_category": body.limit_category,
        "application_date": body.application_date,
        "long_term": body.long_term,
        "disease_name": body.disease_name,
        "copayment_limit_yen": body.copayment_limit_yen,
    }
    await uow.records.certificate_details(UUID(str(issued.certificate_id)), record)


KINDS: dict[str, ChangeKind] = {
    k.name: k
    for k in (
        ChangeKind(
            "register_household",
            rq.RegisterHouseholdIn,
            _register,
            subjects=_register_subjects,
            details=_register_details,
            ex_officio=lambda b: _other_reason(b.members),
            new_household=True,
        ),
        ChangeKind(
            "acquire",
            rq.AcquisitionIn,
            _acquire,
            subjects=lambda b, _: (b.member.addressee_number,),
            details=_member_details,
            ex_officio=lambda b: _other_reason([b.member]),
        ),
        ChangeKind(
            "lose",
            rq.LossIn,
            _lose,
            subjects=lambda b, _: (b.addressee_number,),
            ex_officio=lambda b: b.reason == "other",
        ),
        ChangeKind(
            "change_householder",
            rq.HouseholderIn,
            _householder,
            subjects=lambda b, _: (b.householder_addressee_number,),
            details=_householder_details,
        ),
        ChangeKind("change_relationship", rq.RelationshipIn, _relationship),
        ChangeKind(
            "change_personal_details", rq.PersonalDetailsIn, _personal, details=_own_details
        ),
        # 職権訂正 (C-24): always ex officio, with its reason.
        ChangeKind("correct_qualification", rq.CorrectionIn, _correct, ex_officio=lambda b: True),
        ChangeKind("start_special_case", rq.SpecialCaseIn, _start_special, places=_special_place),
        ChangeKind("end_special_case", rq.SpecialCaseEndIn, _end_special),
        ChangeKind("record_involuntary_unemployment", rq.UnemploymentIn, _unemployment),
        ChangeKind("change_former_dependant", rq.FormerDependantIn, _former_dependant),
        ChangeKind("record_retiree_status", rq.RetireeIn, _retiree),
        ChangeKind(
            "split_household",
            rq.SplitIn,
            decide=cc.split,
            subjects=_split_subjects,
            details=_new_householder_details,
            needs_target=True,
        ),
        ChangeKind(
            "start_residence_exception",
            rq.ResidenceExceptionIn,
            decide=cc.split,
            details=_own_details,
            places=_residence_place,
            needs_target=True,
        ),
        ChangeKind("merge_household", rq.MergeIn, decide=cc.merge, preview_other=False),
        # From the resident register (ADR 0015): ex officio (職権, C-24), one clerk confirms.
        ChangeKind(
            "register_loss",
            rr.RegisterLossIn,
            _lose,
            subjects=lambda b, _: (b.addressee_number,),
            ex_officio=lambda b: True,
        ),
        ChangeKind(
            "register_personal_details",
            rr.RegisterDetailsIn,
            _personal,
            details=_own_details,
            ex_officio=lambda b: True,
        ),
        # 介護保険適用除外 (NHI-Q-33, issue 13)
        ChangeKind("record_care_exclusion", cx.CareExclusionIn, cx.record),
        ChangeKind("end_care_exclusion", cx.CareExclusionEndIn, cx.end),
        ChangeKind(
            "record_certificate",
            rq.CertificateIn,
            _certificate,
            subjects=lambda b, _: (b.addressee_number,),
            after_confirm=_certificate_details,
        ),
    )
}
