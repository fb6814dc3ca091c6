"""The read models of the in-memory twin: the same rows as the PostgreSQL tables (dicts with the
tables' columns), projected by a dispatch table like ``adapters/projection.py``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from kokuho.eligibility.app import private_events as pe
from kokuho.eligibility.app.errors import ConcurrentChange
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as ce

Row = dict[str, Any]

PERIOD_COLUMNS = [
    "addressee_number",
    "nhi_household_number",
    "insured_number",
    "card_symbol",
    "card_number",
    "branch_number",
    "birth_date",
    "relationship",
    "acquisition_date",
    "acquisition_reason",
    "acquisition_notified",
    "acquisition_late",
    "loss_date",
    "loss_reason",
    "loss_notified",
    "loss_late",
    "former_dependant",
    "copayment_until",
]
PERSON_COLUMNS = [
    "addressee_number",
    "nhi_household_number",
    "name",
    "name_kana",
    "sex",
    "birth_date",
    "postal_code",
    "address",
    "phone",
    "as_of",
]


def _pick(row: Row, columns: Sequence[str]) -> Row:
    return {c: row.get(c) for c in columns}


@dataclass
class MemoryTables:
    """households, qualification_periods, special_cases, involuntary_unemployment,
    retiree_status, certificates, changes, federation_reviews and persons."""

    households: dict[str, Row] = field(default_factory=dict)
    periods: list[Row] = field(default_factory=list)
    special_cases: list[Row] = field(default_factory=list)
    unemployment: list[Row] = field(default_factory=list)
    retiree: dict[tuple[str, str, date], Row] = field(default_factory=dict)
    certificates: dict[UUID, Row] = field(default_factory=dict)
    changes: dict[UUID, Row] = field(default_factory=dict)
    reviews: dict[UUID, Row] = field(default_factory=dict)
    persons: dict[str, Row] = field(default_factory=dict)

    def open_period(self, addressee_number: str, household: str | None = None) -> Row | None:
        for row in self.periods:
            if (
                row["addressee_number"] == addressee_number
                and row["open"]
                and (household is None or row["nhi_household_number"] == household)
            ):
                return row
        return None


class MemoryProjection:
    """``ReadModelsPort`` of the twin: one projection per event type."""

    def __init__(self, tables: MemoryTables) -> None:
        self.t = tables
        self._table: dict[type[EventContract], Callable[[Any], Awaitable[None]]] = {
            ce.HouseholdRegistered: self._registered,
            ce.HouseholdCompositionChanged: self._composition,
            ce.HouseholderChanged: self._householder,
            ce.QualificationAcquired: self._acquired,
            ce.QualificationLost: self._lost,
            ce.QualificationCorrected: self._corrected,
            ce.RelationshipChanged: self._relationship,
            ce.PersonalDetailsChanged: self._birth_date,
            ce.HouseholdSplit: self._moved,
            ce.HouseholdMerged: self._moved,
            ce.CopaymentRateDetermined: self._copayment,
            ce.FormerDependantStatusChanged: self._former_dependant,
            ce.SpecialCaseStarted: self._special_started,
            ce.SpecialCaseEnded: self._special_ended,
            ce.RetireeStatusRecorded: self._retiree,
            ce.InvoluntaryUnemploymentRecorded: self._unemployment,
            ce.CertificateIssued: self._certificate_issued,
            ce.SpecialCareStatusChanged: self._special_care,
            ce.CertificateCollected: self._certificate_collected,
            pe.ChangeEntered: self._change_entered,
            pe.ChangeConfirmed: self._change_confirmed,
            pe.ChangeRejected: self._change_rejected,
        }

    async def project(self, events: Sequence[EventContract]) -> None:
        for event in events:
            projection = self._table.get(type(event))
            if projection is not None:
                await projection(event)

    def _open(self, addressee: str, household: str) -> list[Row]:
        found = self.t.open_period(addressee, household)
        return [found] if found is not None else []

    async def _registered(self, x: ce.HouseholdRegistered) -> None:
        self.t.households[x.nhi_household_number] = {
            "nhi_household_number": x.nhi_household_number,
            "householder_addressee_number": x.householder_addressee_number,
            "deemed_householder": x.deemed_householder,
            "dissolved": False,
            "member_count": 0,
            "specified_same_household_members": [],
            "registered_on": x.effective_date,
            "special_care_from": None,
        }

    async def _composition(self, x: ce.HouseholdCompositionChanged) -> None:
        row = self.t.households.get(x.nhi_household_number)
        if row is not None:
            row["householder_addressee_number"] = x.householder_addressee_number
            row["deemed_householder"] = x.deemed_householder
            row["dissolved"] = x.dissolved
            row["member_count"] = len(x.members)
            row["specified_same_household_members"] = list(x.specified_same_household_members)

    async def _householder(self, x: ce.HouseholderChanged) -> None:
        row = self.t.households.get(x.nhi_household_number)
        if row is not None:
            row["householder_addressee_number"] = x.householder_addressee_number
            row["deemed_householder"] = x.deemed_householder

    async def _acquired(self, x: ce.QualificationAcquired) -> None:
        if self.t.open_period(x.addressee_number) is not None:
            raise ConcurrentChange("another change to the same person was saved first")
        self.t.periods.append(
            {
                "period_id": len(self.t.periods) + 1,
                **{c: getattr(x, c, None) for c in PERIOD_COLUMNS},
                "acquisition_notified": x.notification_date,
                "acquisition_late": x.late_notification,
                "loss_date": None,
                "loss_reason": None,
                "loss_notified": None,
                "loss_late": None,
                "copayment_until": None,
                "open": True,
            }
        )

    async def _lost(self, x: ce.QualificationLost) -> None:
        for row in self._open(x.addressee_number, x.nhi_household_number):
            row.update(
                loss_date=x.loss_date,
                loss_reason=x.loss_reason,
                loss_notified=x.notification_date,
                loss_late=x.late_notification,
                open=False,
            )
        for case in self.t.special_cases:
            if case["addressee_number"] == x.addressee_number and case["end_date"] is None:
                case["end_date"] = x.loss_date

    async def _corrected(self, x: ce.QualificationCorrected) -> None:
        own = [
            r
            for r in self.t.periods
            if r["addressee_number"] == x.addressee_number
            and r["nhi_household_number"] == x.nhi_household_number
        ]
        if own:
            own[-1].update(
                acquisition_date=x.acquisition_date,
                acquisition_reason=x.acquisition_reason,
                loss_date=x.loss_date,
                loss_reason=x.loss_reason,
                open=x.loss_date is None,
            )

    async def _relationship(self, x: ce.RelationshipChanged) -> None:
        for row in self._open(x.addressee_number, x.nhi_household_number):
            row["relationship"] = x.relationship

    async def _birth_date(self, x: ce.PersonalDetailsChanged) -> None:
        found = self.t.open_period(x.addressee_number)
        if x.birth_date is not None and found is not None:
            found["birth_date"] = x.birth_date

    async def _moved(self, x: ce.HouseholdSplit | ce.HouseholdMerged) -> None:
        if isinstance(x, ce.HouseholdSplit):
            source, target, why = x.from_household_number, x.new_household_number, "split"
        else:
            source, target, why = x.absorbed_household_number, x.into_household_number, "merged"
        for m in x.members:
            for old in self._open(m.addressee_number, source):
                old.update(
                    loss_date=x.effective_date,
                    loss_reason=f"household_{why}_out",
                    loss_notified=x.notification_date,
                    loss_late=x.late_notification,
                    open=False,
                )
                new = dict(old)
                new.update(
                    period_id=len(self.t.periods) + 1,
                    nhi_household_number=target,
                    card_number=m.card_number,
                    branch_number=m.branch_number,
                    relationship=m.relationship,
                    acquisition_date=x.effective_date,
                    acquisition_reason=f"household_{why}_in",
                    acquisition_notified=x.notification_date,
                    acquisition_late=x.late_notification,
                    loss_date=None,
                    loss_reason=None,
                    loss_notified=None,
                    loss_late=None,
                    open=True,
                )
                self.t.periods.append(new)
            person = self.t.persons.get(m.addressee_number)
            if person is not None:
                person["nhi_household_number"] = target

    async def _copayment(self, x: ce.CopaymentRateDetermined) -> None:
        for row in self._open(x.addressee_number, x.nhi_household_number):
            row["copayment_until"] = x.valid_until

    async def _former_dependant(self, x: ce.FormerDependantStatusChanged) -> None:
        for row in self._open(x.addressee_number, x.nhi_household_number):
            row["former_dependant"] = x.former_dependant and x.until is None

    async def _special_started(self, x: ce.SpecialCaseStarted) -> None:
        key = (x.addressee_number, x.kind, x.start_date)
        if any(
            (c["addressee_number"], c["kind"], c["start_date"]) == key for c in self.t.special_cases
        ):
            return
        self.t.special_cases.append(
            {
                "addressee_number": x.addressee_number,
                "kind": x.kind,
                "nhi_household_number": x.nhi_household_number,
                "facility_kind": x.facility_kind,
                "facility_name": None,
                "facility_address": None,
                "start_date": x.start_date,
                "end_date": None,
            }
        )

    async def _special_ended(self, x: ce.SpecialCaseEnded) -> None:
        for case in self.t.special_cases:
            if (case["addressee_number"], case["kind"]) == (x.addressee_number, x.kind) and case[
                "end_date"
            ] is None:
                case["end_date"] = x.end_date

    async def _retiree(self, x: ce.RetireeStatusRecorded) -> None:
        self.t.retiree[(x.addressee_number, x.retiree_kind, x.since)] = {
            "addressee_number": x.addressee_number,
            "retiree_kind": x.retiree_kind,
            "nhi_household_number": x.nhi_household_number,
            "since": x.since,
            "until": x.until,
        }

    async def _unemployment(self, x: ce.InvoluntaryUnemploymentRecorded) -> None:
        key = (x.addressee_number, x.separation_date)
        if any((u["addressee_number"], u["separation_date"]) == key for u in self.t.unemployment):
            return
        self.t.unemployment.append(
            {
                "addressee_number": x.addressee_number,
                "separation_date": x.separation_date,
                "separation_reason_code": x.separation_reason_code,
                "reduction_start": x.reduction_start,
                "reduction_end": x.reduction_end,
            }
        )

    async def _special_care(self, x: ce.SpecialCareStatusChanged) -> None:
        self.t.households[x.nhi_household_number]["special_care_from"] = (
            x.effective_on if x.special_care else None
        )

    async def _certificate_issued(self, x: ce.CertificateIssued) -> None:
        self.t.certificates[UUID(str(x.certificate_id))] = {
            "certificate_id": UUID(str(x.certificate_id)),
            "kind": x.kind,
            "addressee_number": x.addressee_number,
            "nhi_household_number": x.nhi_household_number,
            "insured_number": x.insured_number,
            "issue_date": x.issue_date,
            "valid_from": x.valid_from,
            "valid_until": x.valid_until,
            "copayment_rate_tenths": x.copayment_rate_tenths,
            "reissue_of": UUID(str(x.reissue_of)) if x.reissue_of else None,
            "special_care": x.special_care,
            "collected_date": None,
            "collected_reason": None,
            "issued_by": x.entered_by,
            "limit_category": None,
            "application_date": None,
            "long_term": None,
            "disease_name": None,
            "copayment_limit_yen": None,
        }

    async def _certificate_collected(self, x: ce.CertificateCollected) -> None:
        row = self.t.certificates.get(UUID(str(x.certificate_id)))
        if row is not None:
            row.update(collected_date=x.collected_date, collected_reason=x.reason)

    async def _change_entered(self, x: pe.ChangeEntered) -> None:
        self.t.changes[x.change_id] = {
            "change_id": x.change_id,
            "kind": x.kind,
            "nhi_household_number": x.nhi_household_number,
            "subjects": list(x.subjects),
            "status": "pending",
            "ex_officio": x.ex_officio,
            "entered_by": x.entered_by,
            "entered_at": x.entered_at,
            "decided_by": None,
            "decided_at": None,
            "identity_method": x.identity_method,
            "by_proxy": x.by_proxy,
        }

    async def _change_confirmed(self, x: pe.ChangeConfirmed) -> None:
        self.t.changes[x.change_id].update(
            status="confirmed", decided_by=x.confirmed_by, decided_at=x.confirmed_at
        )

    async def _change_rejected(self, x: pe.ChangeRejected) -> None:
        self.t.changes[x.change_id].update(
            status="rejected", decided_by=x.rejected_by, decided_at=x.rejected_at
        )
