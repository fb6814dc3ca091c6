"""The PostgreSQL unit of work: event store + outbox, forgettable payloads, number sequences
and the read models, all on the caller's transaction's connection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from kokuho.eligibility.app import private_events as pe
from kokuho.events.contracts import Envelope, EventContract, parse_data
from kokuho.events.contracts import eligibility as ce
from kokuho.events.contracts.linkage_gateway import FederationDifferenceConfirmed
from kokuho.events.runtime.payloads import PostgresPersonalPayloads
from kokuho.events.runtime.store import PostgresEventStore, append

SOURCE = "/kokuho/eligibility"


@dataclass(frozen=True)
class Topics:
    """Where the unit publishes; configurable so tests can use their own topics."""

    events: str = ce.EVENTS_TOPIC
    personal_details: str = ce.PERSONAL_DETAILS_TOPIC


class PostgresUnit:
    """Implements ``app.ports.Unit`` on one connection inside a transaction."""

    def __init__(self, conn: asyncpg.Connection, topics: Topics | None = None) -> None:
        self.conn = conn
        self.topics = topics or Topics()
        self.store = PostgresEventStore(conn, source=SOURCE)
        self.payloads = PostgresPersonalPayloads(conn)

    async def load(self, stream_id: str) -> list[EventContract]:
        recorded = await self.store.load(stream_id)
        return [parse_data(r.event_type, r.envelope.data) for r in recorded]

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[EventContract],
        *,
        publish: bool,
        partition_key: str,
    ) -> None:
        await append(
            self.store,
            stream_id,
            expected_version,
            events,
            topic=self.topics.events if publish else None,
            partition_key=partition_key,
        )

    async def put_payload(self, subject: str, kind: str, data: dict[str, Any]) -> UUID:
        return await self.payloads.put(subject, kind, data)

    async def get_payload(self, payload_id: UUID) -> dict[str, Any] | None:
        return await self.payloads.get(payload_id)

    async def next_household_number(self) -> str:
        value = await self.conn.fetchval("SELECT nextval('household_number_seq')")
        return f"{value:010d}"

    async def next_insured_number(self) -> str:
        value = await self.conn.fetchval("SELECT nextval('insured_number_seq')")
        return f"{value:08d}"

    async def active_household_of(self, addressee_number: str) -> str | None:
        value: str | None = await self.conn.fetchval(
            "SELECT nhi_household_number FROM qualification_periods"
            " WHERE addressee_number = $1 AND open",
            addressee_number,
        )
        return value

    async def personal_details(self, addressee_number: str) -> ce.PersonalDetailsRecorded | None:
        row = await self.conn.fetchrow(
            "SELECT addressee_number, nhi_household_number, name, name_kana, sex, birth_date,"
            " postal_code, address, phone, as_of FROM persons WHERE addressee_number = $1",
            addressee_number,
        )
        return None if row is None else ce.PersonalDetailsRecorded(**dict(row))

    async def record_personal_details(self, record: ce.PersonalDetailsRecorded) -> None:
        await self.conn.execute(
            "INSERT INTO persons (addressee_number, nhi_household_number, name, name_kana, sex,"
            " birth_date, postal_code, address, phone, as_of)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            " ON CONFLICT (addressee_number) DO UPDATE SET"
            " nhi_household_number = EXCLUDED.nhi_household_number, name = EXCLUDED.name,"
            " name_kana = EXCLUDED.name_kana, sex = EXCLUDED.sex,"
            " birth_date = EXCLUDED.birth_date, postal_code = EXCLUDED.postal_code,"
            " address = EXCLUDED.address, phone = EXCLUDED.phone, as_of = EXCLUDED.as_of,"
            " updated_at = now()",
            record.addressee_number,
            record.nhi_household_number,
            record.name,
            record.name_kana,
            record.sex,
            record.birth_date,
            record.postal_code,
            record.address,
            record.phone,
            record.as_of,
        )
        envelope = Envelope(
            id=uuid4(),
            source=SOURCE,
            type=record.event_type,
            time=datetime.now(UTC),
            subject=record.addressee_number,
            data=record.model_dump(mode="json"),
            partitionkey=record.addressee_number,
        )
        await self.store.put_latest(self.topics.personal_details, record.addressee_number, envelope)

    async def record_special_case_place(
        self, addressee_number: str, kind: str, name: str | None, address: str | None
    ) -> None:
        await self.conn.execute(
            "UPDATE special_cases SET facility_name = $3, facility_address = $4"
            " WHERE addressee_number = $1 AND kind = $2 AND end_date IS NULL",
            addressee_number,
            kind,
            name,
            address,
        )

    async def qualification_summary(self, addressee_number: str) -> tuple[bool, date | None]:
        row = await self.conn.fetchrow(
            "SELECT bool_or(open) AS insured, max(loss_date) AS last_loss"
            " FROM qualification_periods WHERE addressee_number = $1",
            addressee_number,
        )
        return bool(row["insured"]), row["last_loss"]

    async def forget_payload(self, payload_id: UUID, reason: str) -> None:
        await self.conn.execute(
            "UPDATE personal_payloads SET data = NULL, erased_at = now(), erasure_reason = $2"
            " WHERE payload_id = $1 AND erased_at IS NULL",
            payload_id,
            reason,
        )

    async def erase_person(self, addressee_number: str, reason: str) -> bool:
        deleted: str = await self.conn.execute(
            "DELETE FROM persons WHERE addressee_number = $1", addressee_number
        )
        await self.conn.execute(
            "UPDATE special_cases SET facility_name = NULL, facility_address = NULL"
            " WHERE addressee_number = $1",
            addressee_number,
        )
        await self.payloads.erase_subject(addressee_number, reason)
        # A tombstone: the compacted topic forgets the person too.
        await self.store.put_latest(self.topics.personal_details, addressee_number, None)
        return deleted != "DELETE 0"

    async def record_certificate_details(
        self, certificate_id: UUID, details: dict[str, Any]
    ) -> None:
        await self.conn.execute(
            "UPDATE certificates SET limit_category = $2, application_date = $3, long_term = $4,"
            " disease_name = $5, copayment_limit_yen = $6 WHERE certificate_id = $1",
            certificate_id,
            details["limit_category"],
            details["application_date"],
            details["long_term"],
            details["disease_name"],
            details["copayment_limit_yen"],
        )

    async def latest_period(self, addressee_number: str) -> tuple[str, str, str | None] | None:
        row = await self.conn.fetchrow(
            "SELECT nhi_household_number, acquisition_reason, loss_reason"
            " FROM qualification_periods WHERE addressee_number = $1"
            " ORDER BY open DESC, period_id DESC LIMIT 1",
            addressee_number,
        )
        if row is None:
            return None
        return row["nhi_household_number"], row["acquisition_reason"], row["loss_reason"]

    async def record_federation_review(
        self, event_id: UUID, event: FederationDifferenceConfirmed, change_id: UUID | None
    ) -> None:
        await self.conn.execute(
            "INSERT INTO federation_reviews (event_id, addressee_number, insured_number, kind,"
            " federation_acquisition_date, federation_loss_date, file_date, confirmed_by,"
            " change_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (event_id) DO NOTHING",
            event_id,
            event.addressee_number,
            event.insured_number,
            event.kind,
            event.federation_acquisition_date,
            event.federation_loss_date,
            event.file_date,
            event.confirmed_by,
            change_id,
        )

    async def persons_needing_copayment_rate(self, on: date) -> list[tuple[str, str]]:
        rows = await self.conn.fetch(
            "SELECT addressee_number, nhi_household_number FROM qualification_periods"
            " WHERE open AND birth_date <= ($1::date - interval '70 years')::date"
            " AND birth_date > ($1::date - interval '75 years')::date"
            " AND (copayment_until IS NULL OR copayment_until < $1)"
            " ORDER BY nhi_household_number, addressee_number",
            on,
        )
        return [(r["addressee_number"], r["nhi_household_number"]) for r in rows]

    async def persons_turning_75(self, until: date) -> list[tuple[str, str, date]]:
        # The 75th birthday is on or before ``until``: born on or before until - 75 years.
        # 29 February births are kept when ``until`` is 28 February (their day is 1 March).
        rows = await self.conn.fetch(
            "SELECT addressee_number, nhi_household_number, birth_date"
            " FROM qualification_periods WHERE open"
            " AND birth_date <= ($1::date - interval '75 years')::date"
            " ORDER BY nhi_household_number, addressee_number",
            until,
        )
        return [(r["addressee_number"], r["nhi_household_number"], r["birth_date"]) for r in rows]

    # --- read models ----------------------------------------------------------------------

    async def _project_moves(self, x: ce.HouseholdSplit | ce.HouseholdMerged) -> None:
        """A household move ends the member's row in the old household and opens one in the
        new household (rows are periods of a person in a household); the qualification and
        its original acquisition date continue (in the event and the person's first row)."""
        if isinstance(x, ce.HouseholdSplit):
            source, target, why = x.from_household_number, x.new_household_number, "split"
        else:
            source, target, why = x.absorbed_household_number, x.into_household_number, "merged"
        for m in x.members:
            await self.conn.execute(
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
            await self.conn.execute(
                "UPDATE persons SET nhi_household_number = $2 WHERE addressee_number = $1",
                m.addressee_number,
                target,
            )

    async def project(self, events: Sequence[EventContract]) -> None:
        for event in events:
            await self._project_one(event)

    async def _project_one(self, x: EventContract) -> None:
        conn = self.conn
        if isinstance(x, ce.HouseholdRegistered):
            await conn.execute(
                "INSERT INTO households (nhi_household_number, householder_addressee_number,"
                " deemed_householder, registered_on) VALUES ($1, $2, $3, $4)",
                x.nhi_household_number,
                x.householder_addressee_number,
                x.deemed_householder,
                x.effective_date,
            )
        elif isinstance(x, ce.HouseholdCompositionChanged):
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
        elif isinstance(x, ce.HouseholderChanged):
            await conn.execute(
                "UPDATE households SET householder_addressee_number = $2,"
                " deemed_householder = $3 WHERE nhi_household_number = $1",
                x.nhi_household_number,
                x.householder_addressee_number,
                x.deemed_householder,
            )
        elif isinstance(x, ce.QualificationAcquired):
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
        elif isinstance(x, ce.QualificationLost):
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
                "UPDATE special_cases SET end_date = $2 WHERE addressee_number = $1"
                " AND end_date IS NULL",
                x.addressee_number,
                x.loss_date,
            )
        elif isinstance(x, ce.QualificationCorrected):
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
        elif isinstance(x, ce.RelationshipChanged):
            await conn.execute(
                "UPDATE qualification_periods SET relationship = $3"
                " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open",
                x.addressee_number,
                x.nhi_household_number,
                x.relationship,
            )
        elif isinstance(x, ce.PersonalDetailsChanged) and x.birth_date is not None:
            await conn.execute(
                "UPDATE qualification_periods SET birth_date = $2"
                " WHERE addressee_number = $1 AND open",
                x.addressee_number,
                x.birth_date,
            )
        elif isinstance(x, (ce.HouseholdSplit, ce.HouseholdMerged)):
            await self._project_moves(x)
        elif isinstance(x, ce.CopaymentRateDetermined):
            await conn.execute(
                "UPDATE qualification_periods SET copayment_until = $3"
                " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open",
                x.addressee_number,
                x.nhi_household_number,
                x.valid_until,
            )
        elif isinstance(x, ce.FormerDependantStatusChanged):
            await conn.execute(
                "UPDATE qualification_periods SET former_dependant = $3"
                " WHERE addressee_number = $1 AND nhi_household_number = $2 AND open",
                x.addressee_number,
                x.nhi_household_number,
                x.former_dependant and x.until is None,
            )
        elif isinstance(x, ce.SpecialCaseStarted):
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
        elif isinstance(x, ce.SpecialCaseEnded):
            await conn.execute(
                "UPDATE special_cases SET end_date = $3"
                " WHERE addressee_number = $1 AND kind = $2 AND end_date IS NULL",
                x.addressee_number,
                x.kind,
                x.end_date,
            )
        elif isinstance(x, ce.RetireeStatusRecorded):
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
        elif isinstance(x, ce.InvoluntaryUnemploymentRecorded):
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
        elif isinstance(x, ce.CertificateIssued):
            await conn.execute(
                "INSERT INTO certificates (certificate_id, kind, addressee_number,"
                " nhi_household_number, insured_number, issue_date, valid_from, valid_until,"
                " copayment_rate_tenths, reissue_of, issued_by)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
            )
        elif isinstance(x, ce.CertificateCollected):
            await conn.execute(
                "UPDATE certificates SET collected_date = $2, collected_reason = $3"
                " WHERE certificate_id = $1",
                x.certificate_id,
                x.collected_date,
                x.reason,
            )
        elif isinstance(x, pe.ChangeEntered):
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
        elif isinstance(x, pe.ChangeConfirmed):
            await conn.execute(
                "UPDATE changes SET status = 'confirmed', decided_by = $2, decided_at = $3"
                " WHERE change_id = $1",
                x.change_id,
                x.confirmed_by,
                x.confirmed_at,
            )
        elif isinstance(x, pe.ChangeRejected):
            await conn.execute(
                "UPDATE changes SET status = 'rejected', decided_by = $2, decided_at = $3"
                " WHERE change_id = $1",
                x.change_id,
                x.rejected_by,
                x.rejected_at,
            )
