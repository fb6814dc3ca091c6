"""The read models, updated in the transaction that appends the events: one projection per
event type in a dispatch table (events without a read-model effect are not in it).

A unique index refusing a row (two transactions opening the same person's qualification at
once) is translated here into the domain's 409 ``concurrent-change``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

from kokuho.eligibility.app import private_events as pe
from kokuho.eligibility.app.errors import ConcurrentChange
from kokuho.events.contracts import EventContract
from kokuho.events.contracts import eligibility as ce


async def _household_registered(conn: asyncpg.Connection, x: ce.HouseholdRegistered) -> None:
    await conn.execute(
        "INSERT INTO households (nhi_household_number, householder_addressee_number,"
        " deemed_householder, registered_on) VALUES ($1, $2, $3, $4)",
        x.nhi_household_number,
        x.householder_addressee_number,
        x.deemed_householder,
        x.effective_date,
    )


async def _household_composition_changed(
    conn: asyncpg.Connection, x: ce.HouseholdCompositionChanged
) -> None:
    await conn.execute(
        "UPDATE households SET householder_addressee_number = $2,"
        " deemed_householder = $3, dissolved = $4, member_count = $5,"
        " specified_same_household_members = $6, version = version + 1,"
        " updated_at = now() WHERE nhi_household_number = $1",
        x.nhi_household_number,
        x.householder_addressee_number,
        x.deemed_householder,
        x.dissolved,
        len(x.members),
        list(x.specified_same_household_members),
    )


async def _householder_changed(conn: asyncpg.Connection, x: ce.HouseholderChanged) -> None:
    await conn.execute(
        "UPDATE households SET householder_addressee_number = $2,"
        " deemed_householder = $3 WHERE nhi_household_number = $1",
        x.nhi_household_number,
        x.householder_addressee_number,
        x.deemed_householder,
    )


async def _qualification_acquired(conn: asyncpg.Connection, x: ce.QualificationAcquired) -> None:
    await conn.execute(
        "INSERT INTO qualification_periods (addressee_number, nhi_household_number,"
        " insured_number, card_symbol, card_number, branch_number, birth_date,"
        " relationship, acquisition_date, acquisition_reason, acquisition_notified,"
        " acquisition_late, former_dependant)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        x.addressee_number,
        x.nhi_household_number,
        x.insured_number,
        x.card_symbol,
        x.card_number,
        x.branch_number,
        x.birth_date,
        x.relationship,
        x.acquisition_date,
        x.acquisition_reason,
        x.notification_date,
        x.late_notification,
        x.former_dependant,
    )


async def _qualification_lost(conn: asyncpg.Connection, x: ce.QualificationLost) -> None:
    await conn.execute(
        "UPDATE qualification_periods SET loss_date = $3, loss_reason = $4,"
        " loss_notified = $5, loss_late = $6, open = false"
        " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open",
        x.addressee_number,
        x.nhi_household_number,
        x.loss_date,
        x.loss_reason,
        x.notification_date,
        x.late_notification,
    )
    await conn.execute(
        "UPDATE special_cases SET end_date = $2 WHERE addressee_number = $1 AND end_date IS NULL",
        x.addressee_number,
        x.loss_date,
    )


async def _qualification_corrected(conn: asyncpg.Connection, x: ce.QualificationCorrected) -> None:
    await conn.execute(
        "UPDATE qualification_periods SET acquisition_date = $3,"
        " acquisition_reason = $4, loss_date = $5, loss_reason = $6,"
        " open = ($5::date IS NULL)"
        " WHERE period_id = (SELECT max(period_id) FROM qualification_periods"
        " WHERE addressee_number = $1 AND nhi_household_number = $2)",
        x.addressee_number,
        x.nhi_household_number,
        x.acquisition_date,
        x.acquisition_reason,
        x.loss_date,
        x.loss_reason,
    )


async def _relationship_changed(conn: asyncpg.Connection, x: ce.RelationshipChanged) -> None:
    await conn.execute(
        "UPDATE qualification_periods SET relationship = $3"
        " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open",
        x.addressee_number,
        x.nhi_household_number,
        x.relationship,
    )


async def _personal_details_changed(conn: asyncpg.Connection, x: ce.PersonalDetailsChanged) -> None:
    if x.birth_date is None:
        return
    await conn.execute(
        "UPDATE qualification_periods SET birth_date = $2 WHERE addressee_number = $1 AND open",
        x.addressee_number,
        x.birth_date,
    )


async def _copayment_rate_determined(
    conn: asyncpg.Connection, x: ce.CopaymentRateDetermined
) -> None:
    await conn.execute(
        "UPDATE qualification_periods SET copayment_until = $3"
        " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open",
        x.addressee_number,
        x.nhi_household_number,
        x.valid_until,
    )


async def _former_dependant_status_changed(
    conn: asyncpg.Connection, x: ce.FormerDependantStatusChanged
) -> None:
    await conn.execute(
        "UPDATE qualification_periods SET former_dependant = $3"
        " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open",
        x.addressee_number,
        x.nhi_household_number,
        x.former_dependant and x.until is None,
    )


async def _special_case_started(conn: asyncpg.Connection, x: ce.SpecialCaseStarted) -> None:
    await conn.execute(
        "INSERT INTO special_cases (addressee_number, kind, nhi_household_number,"
        " facility_kind, start_date) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT DO NOTHING",
        x.addressee_number,
        x.kind,
        x.nhi_household_number,
        x.facility_kind,
        x.start_date,
    )


async def _special_case_ended(conn: asyncpg.Connection, x: ce.SpecialCaseEnded) -> None:
    await conn.execute(
        "UPDATE special_cases SET end_date = $3"
        " WHERE addressee_number = $1 AND kind = $2 AND end_date IS NULL",
        x.addressee_number,
        x.kind,
        x.end_date,
    )


async def _retiree_status_recorded(conn: asyncpg.Connection, x: ce.RetireeStatusRecorded) -> None:
    await conn.execute(
        "INSERT INTO retiree_status (addressee_number, nhi_household_number,"
        " retiree_kind, since, until) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (addressee_number, retiree_kind, since)"
        " DO UPDATE SET until = EXCLUDED.until,"
        " nhi_household_number = EXCLUDED.nhi_household_number",
        x.addressee_number,
        x.nhi_household_number,
        x.retiree_kind,
        x.since,
        x.until,
    )


async def _involuntary_unemployment_recorded(
    conn: asyncpg.Connection, x: ce.InvoluntaryUnemploymentRecorded
) -> None:
    await conn.execute(
        "INSERT INTO involuntary_unemployment VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT DO NOTHING",
        x.addressee_number,
        x.nhi_household_number,
        x.separation_date,
        x.separation_reason_code,
        x.reduction_start,
        x.reduction_end,
    )


async def _certificate_issued(conn: asyncpg.Connection, x: ce.CertificateIssued) -> None:
    await conn.execute(
        "INSERT INTO certificates (certificate_id, kind, addressee_number,"
        " nhi_household_number, insured_number, issue_date, valid_from, valid_until,"
        " copayment_rate_tenths, reissue_of, issued_by, special_care)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        x.certificate_id,
        x.kind,
        x.addressee_number,
        x.nhi_household_number,
        x.insured_number,
        x.issue_date,
        x.valid_from,
        x.valid_until,
        x.copayment_rate_tenths,
        x.reissue_of,
        x.entered_by,
        x.special_care,
    )


async def _special_care(conn: asyncpg.Connection, x: ce.SpecialCareStatusChanged) -> None:
    await conn.execute(
        "UPDATE households SET special_care_from = $2 WHERE nhi_household_number = $1",
        x.nhi_household_number,
        x.effective_on if x.special_care else None,
    )


async def _certificate_collected(conn: asyncpg.Connection, x: ce.CertificateCollected) -> None:
    await conn.execute(
        "UPDATE certificates SET collected_date = $2, collected_reason = $3"
        " WHERE certificate_id = $1",
        x.certificate_id,
        x.collected_date,
        x.reason,
    )


async def _change_entered(conn: asyncpg.Connection, x: pe.ChangeEntered) -> None:
    await conn.execute(
        "INSERT INTO changes (change_id, kind, nhi_household_number, subjects, status,"
        " ex_officio, entered_by, entered_at, identity_method, by_proxy)"
        " VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9)",
        x.change_id,
        x.kind,
        x.nhi_household_number,
        x.subjects,
        x.ex_officio,
        x.entered_by,
        x.entered_at,
        x.identity_method,
        x.by_proxy,
    )


async def _change_confirmed(conn: asyncpg.Connection, x: pe.ChangeConfirmed) -> None:
    await conn.execute(
        "UPDATE changes SET status = 'confirmed', decided_by = $2, decided_at = $3"
        " WHERE change_id = $1",
        x.change_id,
        x.confirmed_by,
        x.confirmed_at,
    )


async def _change_rejected(conn: asyncpg.Connection, x: pe.ChangeRejected) -> None:
    await conn.execute(
        "UPDATE changes SET status = 'rejected', decided_by = $2, decided_at = $3"
        " WHERE change_id = $1",
        x.change_id,
        x.rejected_by,
        x.rejected_at,
    )


async def _moves(conn: asyncpg.Connection, x: ce.HouseholdSplit | ce.HouseholdMerged) -> None:
    """A household move ends the member's row in the old household and opens one in the
    new household (rows are periods of a person in a household); the qualification and
    its original acquisition date continue (in the event and the person's first row)."""
    if isinstance(x, ce.HouseholdSplit):
        source, target, why = x.from_household_number, x.new_household_number, "split"
    else:
        source, target, why = x.absorbed_household_number, x.into_household_number, "merged"
    for m in x.members:
        await conn.execute(
            "WITH closed AS (UPDATE qualification_periods SET loss_date = $3,"
            " loss_reason = $4, loss_notified = $5, loss_late = $6, open = false"
            " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open"
            " RETURNING *)"
            " INSERT INTO qualification_periods (addressee_number, nhi_household_number,"
            " insured_number, card_symbol, card_number, branch_number, birth_date,"
            " relationship, acquisition_date, acquisition_reason, acquisition_notified,"
            " acquisition_late, former_dependant, copayment_until)"
            " SELECT addressee_number, $7, insured_number, card_symbol, $8, $9, birth_date,"
            " $10, $3, $11, $5, $6, former_dependant, copayment_until FROM closed",
            m.addressee_number,
            source,
            x.effective_date,
            f"household_{why}_out",
            x.notification_date,
            x.late_notification,
            target,
            m.card_number,
            m.branch_number,
            m.relationship,
            f"household_{why}_in",
        )
        await conn.execute(
            "UPDATE persons SET nhi_household_number = $2 WHERE addressee_number = $1",
            m.addressee_number,
            target,
        )


Projection = Callable[[asyncpg.Connection, Any], Awaitable[None]]

PROJECTIONS: dict[type[EventContract], Projection] = {
    ce.HouseholdRegistered: _household_registered,
    ce.HouseholdCompositionChanged: _household_composition_changed,
    ce.HouseholderChanged: _householder_changed,
    ce.QualificationAcquired: _qualification_acquired,
    ce.QualificationLost: _qualification_lost,
    ce.QualificationCorrected: _qualification_corrected,
    ce.RelationshipChanged: _relationship_changed,
    ce.PersonalDetailsChanged: _personal_details_changed,
    ce.CopaymentRateDetermined: _copayment_rate_determined,
    ce.FormerDependantStatusChanged: _former_dependant_status_changed,
    ce.SpecialCaseStarted: _special_case_started,
    ce.SpecialCaseEnded: _special_case_ended,
    ce.RetireeStatusRecorded: _retiree_status_recorded,
    ce.InvoluntaryUnemploymentRecorded: _involuntary_unemployment_recorded,
    ce.CertificateIssued: _certificate_issued,
    ce.SpecialCareStatusChanged: _special_care,
    ce.CertificateCollected: _certificate_collected,
    pe.ChangeEntered: _change_entered,
    pe.ChangeConfirmed: _change_confirmed,
    pe.ChangeRejected: _change_rejected,
    ce.HouseholdSplit: _moves,
    ce.HouseholdMerged: _moves,
}


class PostgresReadModels:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def project(self, events: Sequence[EventContract]) -> None:
        try:
            for event in events:
                projection = PROJECTIONS.get(type(event))
                if projection is not None:
                    await projection(self._conn, event)
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrentChange(
                "another change to the same person was saved first; reload and try again"
            ) from exc
