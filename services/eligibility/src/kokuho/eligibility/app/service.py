"""Handlers: load -> decide -> append (with read models and outbox in the same unit).

Every change a clerk enters is a pending four-eyes change (C-11); it takes effect only when a
different clerk confirms it. Certificates and the daily turning-75 job act directly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from kokuho.eligibility.app import private_events as pe
from kokuho.eligibility.app import requests as rq
from kokuho.eligibility.app.ports import Unit
from kokuho.eligibility.app.translate import Provenance, change_to_domain, to_contract, to_domain
from kokuho.eligibility.domain import change as ch
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain import errors as e
from kokuho.eligibility.domain import events as ev
from kokuho.eligibility.domain.household import (
    RECORD_KINDS,
    Household,
    decide,
    decide_merge,
    decide_split,
    evolve,
    initial,
)
from kokuho.eligibility.domain.rules import QualificationRules, anniversary, erasable_from
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.eligibility import PersonalDetailsRecorded

JST = timezone(timedelta(hours=9), "JST")  # Japan has no daylight saving time
PLACEHOLDER_INSURED = "00000000"
SYSTEM_TURNING_75 = "system:turning-75"
SYSTEM_COPAYMENT = "system:copayment-rate"


class ChangeNotFound(e.EligibilityRuleBroken):
    def __init__(self, change_id: str) -> None:
        super().__init__(f"change {change_id} does not exist")
        self.change_id = change_id


class HouseholdNotFound(e.EligibilityRuleBroken):
    def __init__(self, nhi_household_number: str) -> None:
        super().__init__(f"household {nhi_household_number} does not exist")
        self.nhi_household_number = nhi_household_number


def household_stream(number: str) -> str:
    return f"household-{number}"


def change_stream(change_id: UUID | str) -> str:
    return f"change-{change_id}"


@dataclass(frozen=True)
class Loaded:
    state: Household
    version: int


@dataclass(frozen=True)
class Outcome:
    """What a handler did: the change, its status and the events it produced (type + data)."""

    change_id: UUID
    kind: str
    status: str
    nhi_household_number: str
    subjects: tuple[str, ...]
    entered_by: str
    confirmed_by: str | None
    events: tuple[EventContract, ...]


async def load_household(unit: Unit, number: str) -> Loaded:
    contracts = await unit.load(household_stream(number))
    state = initial(number)
    for contract in contracts:
        event = to_domain(contract)
        if event is not None:
            state = evolve(state, event)
    return Loaded(state, len(contracts))


async def load_change(unit: Unit, change_id: UUID) -> tuple[ch.Change, pe.ChangeEntered, int]:
    contracts = await unit.load(change_stream(change_id))
    if not contracts or not isinstance(contracts[0], pe.ChangeEntered):
        raise ChangeNotFound(str(change_id))
    state = ch.Change(str(change_id))
    for contract in contracts:
        event = change_to_domain(contract)
        if event is not None:
            state = ch.evolve_change(state, event)
    return state, contracts[0], len(contracts)


class EligibilityService:
    def __init__(
        self, rules: QualificationRules, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.rules = rules
        self._clock = clock or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self.now().astimezone(JST).date()

    # --- enter / confirm / reject ---------------------------------------------------------

    async def enter(
        self,
        unit: Unit,
        kind: str,
        body: rq.Strict,
        *,
        user_id: str,
        household_number: str | None = None,
        addressee_number: str | None = None,
    ) -> Outcome:
        """Check a change against the current state (a dry run of the rules, so the clerk sees a
        refusal at once) and keep it pending for a second clerk."""
        if kind == "register_household":
            household_number = await unit.next_household_number()
            loaded = Loaded(initial(household_number), 0)
        else:
            assert household_number is not None
            loaded = await self._existing(unit, household_number)
        target = None
        if isinstance(body, (rq.SplitIn, rq.ResidenceExceptionIn)):
            target = await unit.next_household_number()
            split_preview = self._split(loaded.state, initial(target), body, addressee_number)
            preview = split_preview[0] + split_preview[1]
        elif isinstance(body, rq.MergeIn):
            into = await self._existing(unit, body.into_household_number)
            preview = self._merge(loaded.state, into.state, body)[0]
        else:
            command = await self._command(unit, kind, body, loaded.state, addressee_number, False)
            preview = decide(loaded.state, command, self.rules)
        subjects = _subjects(kind, body, addressee_number)
        change_id = uuid4()
        payload_id = await unit.put_payload(
            subjects[0] if subjects else household_number,
            "change-request",
            {
                "kind": kind,
                "addressee_number": addressee_number,
                "target_household_number": target,
                "body": body.model_dump(mode="json"),
            },
        )
        entered = pe.ChangeEntered(
            change_id=change_id,
            kind=kind,
            nhi_household_number=household_number,
            subjects=list(subjects),
            entered_by=user_id,
            entered_at=self.now(),
            payload_id=payload_id,
            ex_officio=_ex_officio(kind, body),
            identity_method=_identity(body)[0],
            by_proxy=_identity(body)[1],
        )
        await unit.append(
            change_stream(change_id), 0, [entered], publish=False, partition_key=household_number
        )
        await unit.project([entered])
        provenance = Provenance(change_id, user_id, None, entered.ex_officio)
        return Outcome(
            change_id,
            kind,
            "pending",
            household_number,
            subjects,
            user_id,
            None,
            tuple(to_contract(x, provenance) for x in preview),
        )

    async def confirm(self, unit: Unit, change_id: UUID, *, user_id: str) -> Outcome:
        state, entered, version = await load_change(unit, change_id)
        (confirmed,) = ch.decide_change(state, ch.ConfirmChange(user_id, self.now()))
        assert isinstance(confirmed, ch.ChangeConfirmed)
        payload = await unit.get_payload(entered.payload_id)
        if payload is None:  # erased before confirmation
            raise e.ChangeNotPending(str(change_id), "erased")
        body = rq.CHANGE_KINDS[entered.kind].model_validate(payload["body"])
        addressee = payload.get("addressee_number")
        number = entered.nhi_household_number
        loaded = (
            Loaded(initial(number), 0)
            if entered.kind == "register_household"
            else await self._existing(unit, number)
        )
        provenance = Provenance(change_id, entered.entered_by, user_id, entered.ex_officio)
        other: tuple[str, Loaded, list[ev.Event]] | None = None
        if isinstance(body, (rq.SplitIn, rq.ResidenceExceptionIn)):
            target_number = str(payload["target_household_number"])
            target = Loaded(initial(target_number), 0)
            events, target_events = self._split(loaded.state, target.state, body, addressee)
            other = (target_number, target, target_events)
        elif isinstance(body, rq.MergeIn):
            into = await self._existing(unit, body.into_household_number)
            events, into_events = self._merge(loaded.state, into.state, body)
            other = (body.into_household_number, into, into_events)
        else:
            command = await self._command(unit, entered.kind, body, loaded.state, addressee, True)
            events = decide(loaded.state, command, self.rules)
        contracts = [to_contract(x, provenance) for x in events]
        await unit.append(
            household_stream(number), loaded.version, contracts, publish=True, partition_key=number
        )
        if other is not None:
            other_number, other_loaded, other_events = other
            other_contracts = [to_contract(x, provenance) for x in other_events]
            await unit.append(
                household_stream(other_number),
                other_loaded.version,
                other_contracts,
                publish=True,
                partition_key=other_number,
            )
            # The split/merge event is in both streams; the read model takes it once, from the
            # source, after the other household exists in it.
            await unit.project(
                [
                    x
                    for x in other_contracts
                    if not isinstance(x, (ce.HouseholdSplit, ce.HouseholdMerged))
                ]
            )
        await unit.project(contracts)
        if other is not None:
            contracts += other_contracts
        await self._record_details(
            unit, entered.kind, body, other[0] if other else number, addressee
        )
        if isinstance(body, rq.CertificateIn):
            await _record_certificate_details(unit, body, contracts)
        # The request (with names and addresses) has served its purpose: keep no copy.
        await unit.forget_payload(entered.payload_id, "change confirmed")
        done = pe.ChangeConfirmed(
            change_id=change_id, confirmed_by=user_id, confirmed_at=confirmed.confirmed_at
        )
        await unit.append(
            change_stream(change_id), version, [done], publish=False, partition_key=number
        )
        await unit.project([done])
        return Outcome(
            change_id,
            entered.kind,
            "confirmed",
            number,
            tuple(entered.subjects),
            entered.entered_by,
            user_id,
            tuple(contracts),
        )

    async def reject(self, unit: Unit, change_id: UUID, *, user_id: str, reason: str) -> Outcome:
        state, entered, version = await load_change(unit, change_id)
        ch.decide_change(state, ch.RejectChange(user_id, self.now(), reason))
        await unit.forget_payload(entered.payload_id, "change rejected")
        reason_id = await unit.put_payload(
            entered.subjects[0] if entered.subjects else entered.nhi_household_number,
            "change-rejection",
            {"reason": reason},
        )
        done = pe.ChangeRejected(
            change_id=change_id,
            rejected_by=user_id,
            rejected_at=self.now(),
            reason_payload_id=reason_id,
        )
        await unit.append(
            change_stream(change_id),
            version,
            [done],
            publish=False,
            partition_key=entered.nhi_household_number,
        )
        await unit.project([done])
        return Outcome(
            change_id,
            entered.kind,
            "rejected",
            entered.nhi_household_number,
            tuple(entered.subjects),
            entered.entered_by,
            None,
            (),
        )

    # --- direct actions -------------------------------------------------------------------

    async def erase_person(
        self, unit: Unit, addressee_number: str, *, reason: str, user_id: str
    ) -> bool:
        """Erase a person's details once the retention period is over (C-95)."""
        insured, last_loss = await unit.qualification_summary(addressee_number)
        if insured:
            raise e.PersonStillInsured(addressee_number)
        if last_loss is not None:
            until = erasable_from(last_loss, self.rules)
            if self.today() < until:
                raise e.RetentionNotOver(addressee_number, until)
        return await unit.erase_person(addressee_number, f"{reason} (by {user_id})")

    async def issue_certificate(
        self, unit: Unit, household_number: str, body: rq.CertificateIn, *, user_id: str
    ) -> Outcome:
        """Issue a document at once (it prints what two clerks already confirmed), or enter the
        record of a 限度額適用認定証 / 減額認定証 / 特定疾病療養受療証, which is keyed from an
        application form and so waits for a second clerk like any other entry (C-11)."""
        if body.kind in RECORD_KINDS:
            return await self.enter(
                unit, "record_certificate", body, user_id=user_id, household_number=household_number
            )
        return await self._direct(
            unit, household_number, _issue(body), "issue_certificate", user_id
        )

    async def collect_certificate(
        self,
        unit: Unit,
        household_number: str,
        certificate_id: str,
        body: rq.CollectIn,
        *,
        user_id: str,
    ) -> Outcome:
        command = c.CollectCertificate(certificate_id, body.collected_date, body.reason)
        return await self._direct(unit, household_number, command, "collect_certificate", user_id)

    async def lose_at_75(
        self, unit: Unit, household_number: str, addressee_number: str, birth_date: date
    ) -> Outcome:
        """The daily job's step for one person: no notification is needed (rules.md 5.3)."""
        birthday = anniversary(birth_date, self.rules.late_elderly_age, self.rules)
        command = c.LoseQualification(
            addressee_number, "turned_75", birthday, birthday, max(self.today(), birthday)
        )
        return await self._direct(unit, household_number, command, "turned_75", SYSTEM_TURNING_75)

    async def determine_copayment_rate(
        self, unit: Unit, household_number: str, addressee_number: str, as_of: date
    ) -> Outcome:
        """The daily job's step for one 70-74 person without a rate for ``as_of``."""
        command = c.DetermineCopaymentRate(addressee_number, as_of)
        return await self._direct(
            unit, household_number, command, "copayment_rate", SYSTEM_COPAYMENT
        )

    async def _direct(
        self, unit: Unit, household_number: str, command: c.Command, kind: str, user_id: str
    ) -> Outcome:
        loaded = await self._existing(unit, household_number)
        events = decide(loaded.state, command, self.rules)
        provenance = Provenance(uuid4(), user_id, None, False)
        contracts = [to_contract(x, provenance) for x in events]
        await unit.append(
            household_stream(household_number),
            loaded.version,
            contracts,
            publish=True,
            partition_key=household_number,
        )
        await unit.project(contracts)
        subject = getattr(command, "addressee_number", None)
        return Outcome(
            provenance.change_id,
            kind,
            "done",
            household_number,
            (subject,) if isinstance(subject, str) else (),
            user_id,
            None,
            tuple(contracts),
        )

    # --- helpers --------------------------------------------------------------------------

    def _split(
        self,
        source: Household,
        target: Household,
        body: rq.SplitIn | rq.ResidenceExceptionIn,
        addressee: str | None,
    ) -> tuple[list[ev.Event], list[ev.Event]]:
        if isinstance(body, rq.SplitIn):
            head, members = body.new_householder_addressee_number, tuple(body.members)
        else:
            assert addressee is not None
            head, members = addressee, (addressee,)
        command = c.SplitHousehold(
            target.nhi_household_number,
            head,
            members,
            body.fact_date,
            body.notification_date,
            self.today(),
        )
        source_events, target_events = decide_split(source, target, command, self.rules)
        if isinstance(body, rq.ResidenceExceptionIn):
            after = target
            for event in target_events:
                after = evolve(after, event)
            target_events += decide(
                after,
                c.StartSpecialCase(
                    head,
                    "residence_exception",
                    body.facility_kind,
                    body.fact_date,
                    body.notification_date,
                    self.today(),
                ),
                self.rules,
            )
        return source_events, target_events

    def _merge(
        self, absorbed: Household, into: Household, body: rq.MergeIn
    ) -> tuple[list[ev.Event], list[ev.Event]]:
        command = c.MergeHousehold(
            body.into_household_number, body.fact_date, body.notification_date, self.today()
        )
        return decide_merge(absorbed, into, command, self.rules)

    async def _existing(self, unit: Unit, number: str) -> Loaded:
        loaded = await load_household(unit, number)
        if not loaded.state.registered:
            raise HouseholdNotFound(number)
        return loaded

    async def _insured_number(self, unit: Unit, allocate: bool) -> str:
        return await unit.next_insured_number() if allocate else PLACEHOLDER_INSURED

    async def _not_insured_elsewhere(self, unit: Unit, addressee: str, here: str) -> None:
        other = await unit.active_household_of(addressee)
        if other is not None and other != here:
            raise e.QualificationAlreadyHeld(addressee, other)

    async def _acquisition(
        self, unit: Unit, member: rq.MemberIn, state: Household, allocate: bool
    ) -> c.AcquireQualification:
        await self._not_insured_elsewhere(unit, member.addressee_number, state.nhi_household_number)
        known = member.addressee_number in state.members
        return c.AcquireQualification(
            addressee_number=member.addressee_number,
            insured_number=PLACEHOLDER_INSURED
            if known
            else await self._insured_number(unit, allocate),
            reason=member.reason,
            fact_date=member.fact_date,
            notification_date=member.notification_date,
            birth_date=member.details.birth_date,
            relationship=member.relationship,
            today=self.today(),
            former_dependant=member.former_dependant,
            effective_date=member.effective_date,
        )

    async def _command(
        self,
        unit: Unit,
        kind: str,
        body: rq.Strict,
        state: Household,
        addressee: str | None,
        allocate: bool,
    ) -> c.Command:
        today = self.today()
        if isinstance(body, rq.RegisterHouseholdIn):
            acquisitions = tuple(
                [await self._acquisition(unit, m, state, allocate) for m in body.members]
            )
            return c.RegisterHousehold(
                state.nhi_household_number, body.householder_addressee_number, acquisitions
            )
        if isinstance(body, rq.AcquisitionIn):
            return await self._acquisition(unit, body.member, state, allocate)
        if isinstance(body, rq.CertificateIn):
            return _issue(body)
        if isinstance(body, rq.LossIn):
            return c.LoseQualification(
                body.addressee_number,
                body.reason,
                body.fact_date,
                body.notification_date,
                today,
                body.effective_date,
            )
        if isinstance(body, rq.HouseholderIn):
            return c.ChangeHouseholder(
                body.householder_addressee_number,
                body.fact_date,
                body.notification_date,
                today,
                body.previous_householder_relationship,
            )
        assert addressee is not None, kind
        if isinstance(body, rq.RelationshipIn):
            return c.ChangeRelationship(addressee, body.relationship, body.fact_date, today)
        if isinstance(body, rq.PersonalDetailsIn):
            current = await unit.personal_details(addressee)
            changed = _changed_fields(current, body.details)
            return c.ChangePersonalDetails(
                addressee,
                changed,
                body.fact_date,
                body.notification_date,
                today,
                body.details.birth_date,
            )
        if isinstance(body, rq.CorrectionIn):
            return c.CorrectQualification(
                addressee,
                body.acquisition_date,
                body.acquisition_reason,
                body.loss_date,
                body.loss_reason,
                body.reason_code,
                body.reason,
            )
        if isinstance(body, rq.SpecialCaseIn):
            return c.StartSpecialCase(
                addressee,
                body.kind,
                body.facility_kind,
                body.fact_date,
                body.notification_date,
                today,
            )
        if isinstance(body, rq.SpecialCaseEndIn):
            return c.EndSpecialCase(addressee, body.kind, body.end_date, today)
        if isinstance(body, rq.FormerDependantIn):
            return c.ChangeFormerDependantStatus(
                addressee, body.former_dependant, body.since, today, body.until
            )
        if isinstance(body, rq.RetireeIn):
            return c.RecordRetireeStatus(
                addressee, body.retiree_kind, body.since, today, body.until
            )
        if isinstance(body, rq.UnemploymentIn):
            return c.RecordInvoluntaryUnemployment(
                addressee, body.separation_date, body.separation_reason_code, today
            )
        raise TypeError(f"unknown change kind {kind}")  # pragma: no cover

    async def _record_details(
        self, unit: Unit, kind: str, body: rq.Strict, household: str, addressee: str | None
    ) -> None:
        records: list[tuple[str, rq.PersonalDetails, date]] = []
        if isinstance(body, rq.RegisterHouseholdIn):
            records += [(m.addressee_number, m.details, m.fact_date) for m in body.members]
            if body.householder_details is not None:
                first = min(m.fact_date for m in body.members)
                records.append((body.householder_addressee_number, body.householder_details, first))
        elif isinstance(body, rq.AcquisitionIn):
            records.append(
                (body.member.addressee_number, body.member.details, body.member.fact_date)
            )
        elif isinstance(body, rq.HouseholderIn) and body.householder_details is not None:
            records.append(
                (body.householder_addressee_number, body.householder_details, body.fact_date)
            )
        elif isinstance(body, rq.PersonalDetailsIn) and addressee is not None:
            records.append((addressee, body.details, body.fact_date))
        elif isinstance(body, rq.SplitIn) and body.new_householder_details is not None:
            records.append(
                (
                    body.new_householder_addressee_number,
                    body.new_householder_details,
                    body.fact_date,
                )
            )
        if isinstance(body, rq.ResidenceExceptionIn) and body.details and addressee:
            records.append((addressee, body.details, body.fact_date))
        for number, details, as_of in records:
            await unit.record_personal_details(
                PersonalDetailsRecorded(
                    addressee_number=number,
                    nhi_household_number=household,
                    as_of=as_of,
                    **details.model_dump(),
                )
            )
        if isinstance(body, rq.SpecialCaseIn) and addressee is not None:
            await unit.record_special_case_place(
                addressee, body.kind, body.facility_name, body.facility_address
            )
        if isinstance(body, rq.ResidenceExceptionIn) and addressee is not None:
            await unit.record_special_case_place(
                addressee, "residence_exception", body.facility_name, body.facility_address
            )


def _subjects(kind: str, body: rq.Strict, addressee: str | None) -> tuple[str, ...]:
    if isinstance(body, rq.RegisterHouseholdIn):
        numbers = [m.addressee_number for m in body.members]
        if body.householder_addressee_number not in numbers:
            numbers.insert(0, body.householder_addressee_number)
        return tuple(numbers)
    if isinstance(body, rq.AcquisitionIn):
        return (body.member.addressee_number,)
    if isinstance(body, (rq.LossIn, rq.CertificateIn)):
        return (body.addressee_number,)
    if isinstance(body, rq.HouseholderIn):
        return (body.householder_addressee_number,)
    if isinstance(body, rq.SplitIn):
        return tuple(dict.fromkeys([*body.members, body.new_householder_addressee_number]))
    return (addressee,) if addressee else ()


def _issue(body: rq.CertificateIn) -> c.IssueCertificate:
    return c.IssueCertificate(
        str(uuid4()),
        body.kind,
        body.addressee_number,
        body.issue_date,
        body.reissue_of,
        body.valid_until,
    )


async def _record_certificate_details(
    unit: Unit, body: rq.CertificateIn, contracts: Sequence[EventContract]
) -> None:
    """The record's own items (NHI-Q-40..44; the disease name is health data and stays in this
    database, never in an event)."""
    (issued,) = [x for x in contracts if isinstance(x, ce.CertificateIssued)]
    record = {
        "limit_category": body.limit_category,
        "application_date": body.application_date,
        "long_term": body.long_term,
        "disease_name": body.disease_name,
        "copayment_limit_yen": body.copayment_limit_yen,
    }
    await unit.record_certificate_details(UUID(str(issued.certificate_id)), record)


def _identity(body: rq.Strict) -> tuple[str | None, bool | None]:
    """C-10: how the person was identified (kept with the change; the request is erased)."""
    verification = getattr(body, "identity_verification", None)
    if isinstance(verification, rq.IdentityVerification):
        return verification.method, verification.proxy
    return None, None


def _ex_officio(kind: str, body: rq.Strict) -> bool:
    if isinstance(body, rq.CorrectionIn):
        return True
    members: Sequence[rq.MemberIn] = ()
    if isinstance(body, rq.RegisterHouseholdIn):
        members = body.members
    elif isinstance(body, rq.AcquisitionIn):
        members = (body.member,)
    if any(m.reason == "other" for m in members):
        return True
    return isinstance(body, rq.LossIn) and body.reason == "other"


def _changed_fields(
    current: PersonalDetailsRecorded | None, new: rq.PersonalDetails
) -> tuple[str, ...]:
    fields = ("name", "name_kana", "sex", "birth_date", "address", "phone")
    if current is None:
        return fields
    changed = [f for f in fields if getattr(current, f) != getattr(new, f)]
    if current.postal_code != new.postal_code and "address" not in changed:
        changed.append("address")
    return tuple(changed)


def describe(events: Sequence[EventContract]) -> list[dict[str, Any]]:
    return [{"type": x.event_type, "data": x.model_dump(mode="json")} for x in events]


__all__ = ["EligibilityService", "Outcome", "describe", "ev"]
