"""C-04 (hold only the needed items): every column of eligibility's own tables is one of its
data items in data-items.md (NHI-Q, NHI-O), or a named piece of bookkeeping that holds no
information about a person. A new column fails this test until it is placed here."""

from __future__ import annotations

import re

import asyncpg
import pytest

from ..conftest import MIGRATIONS

pytestmark = pytest.mark.integration

#: column -> the data item it holds (data-items.md 3.1 and 3.5)
ITEMS = {
    "insured_number": "NHI-Q-1",
    "nhi_household_number": "NHI-Q-2",
    "householder_addressee_number": "NHI-Q-3",
    "addressee_number": "NHI-Q-12",
    "acquisition_date": "NHI-Q-14",
    "acquisition_reason": "NHI-Q-15",
    "loss_date": "NHI-Q-16",
    "loss_reason": "NHI-Q-17",
    "retiree_kind": "NHI-Q-18",
    "since": "NHI-Q-18/25",
    "until": "NHI-Q-18/25",
    "facility_kind": "NHI-Q-20/21/22",
    "facility_name": "NHI-Q-21/22",
    "facility_address": "NHI-Q-21/22",
    "start_date": "NHI-Q-20/22",
    "end_date": "NHI-Q-20/22",
    "separation_date": "NHI-Q-23",
    "separation_reason_code": "NHI-Q-23",
    "reduction_start": "NHI-Q-23",
    "reduction_end": "NHI-Q-23",
    "specified_same_household_members": "NHI-Q-24",
    "former_dependant": "NHI-Q-25",
    "name": "NHI-Q-26 / NHI-O-4",
    "address": "NHI-Q-27",
    "postal_code": "NHI-Q-27",
    "phone": "NHI-Q-28",
    "sex": "NHI-Q-29",
    "birth_date": "NHI-Q-30",
    "relationship": "NHI-Q-31",
    "name_kana": "NHI-O-5",
    "issue_date": "NHI-Q-34/36/39/45",
    "valid_from": "NHI-Q-35",
    "valid_until": "NHI-Q-35",
    "issued_by": "NHI-Q-36",
    "reissue_of": "NHI-Q-36",
    "collected_date": "NHI-Q-37 / NHI-O-10",
    "collected_reason": "NHI-Q-37",
    "copayment_rate_tenths": "NHI-Q-38",
    "copayment_until": "NHI-Q-38",
    "limit_category": "NHI-Q-40",
    "application_date": "NHI-Q-41",
    "long_term": "NHI-Q-42",
    "disease_name": "NHI-Q-43",
    "copayment_limit_yen": "NHI-Q-44",
    "branch_number": "NHI-O-1",
    "card_symbol": "NHI-O-2",
    "card_number": "NHI-O-3",
    "updated_at": "NHI-Q-46",
    "entered_by": "NHI-Q-47",
    "decided_by": "NHI-Q-47",
}

#: table.column -> why it is bookkeeping and not information about a person
BOOKKEEPING = {
    "households.deemed_householder": "derived: the householder is not a member (NHI-Q-3)",
    "households.dissolved": "derived from the household's events",
    "households.member_count": "derived from the household's events",
    "households.registered_on": "NHI-Q-14 of the first member",
    "households.version": "event-store version of the household stream",
    "qualification_periods.period_id": "row key",
    "qualification_periods.open": "derived: loss_date is null",
    "qualification_periods.acquisition_notified": "the notification date (C-11 form check)",
    "qualification_periods.acquisition_late": "derived: notified after 14 days",
    "qualification_periods.loss_notified": "the notification date",
    "qualification_periods.loss_late": "derived: notified after 14 days",
    "persons.as_of": "date the details hold from",
    "special_cases.kind": "which special case (NHI-Q-20 or 22)",
    "certificates.certificate_id": "row key",
    "certificates.kind": "card type (NHI-Q-33)",
    "changes.change_id": "row key (four eyes, C-11)",
    "changes.kind": "kind of change entered",
    "changes.subjects": "addressee numbers the change is about (NHI-Q-12)",
    "changes.status": "pending, confirmed or rejected (C-11)",
    "changes.ex_officio": "C-24",
    "changes.entered_at": "C-11",
    "changes.decided_at": "C-11",
    "changes.identity_method": "C-10 (the method, never a document number)",
    "changes.by_proxy": "C-10",
    "federation_reviews.event_id": "row key: the linkage-gateway event",
    "federation_reviews.kind": "kind of difference",
    "federation_reviews.federation_acquisition_date": "NHI-Q-14 as the federation has it",
    "federation_reviews.federation_loss_date": "NHI-Q-16 as the federation has it",
    "federation_reviews.file_date": "date of the federation file",
    "federation_reviews.change_id": "the change that took it up",
    "federation_reviews.confirmed_by": "linkage-gateway staff who confirmed it (NHI-Q-47)",
    "federation_reviews.received_at": "bookkeeping",
    "erasure_requests.request_id": "C-95/C-11: row key of an erasure request",
    "erasure_requests.addressee_number": "whose details (NHI-Q addressee number)",
    "erasure_requests.reason": "C-95: why the details are erased",
    "erasure_requests.requested_by": "C-11: the supervisor who asked",
    "erasure_requests.requested_at": "bookkeeping",
    "erasure_requests.status": "pending, confirmed or rejected",
    "erasure_requests.decided_by": "C-11: the second supervisor",
    "erasure_requests.decided_at": "bookkeeping",
    "erasure_records.id": "C-96: row key of an erasure record",
    "erasure_records.data_class": "C-96: which data class was erased",
    "erasure_records.subject": "C-96: whose (NHI-Q addressee number)",
    "erasure_records.store": "C-96: from which store",
    "erasure_records.erased_on": "C-96: the day",
    "erasure_records.erased_at": "bookkeeping",
    "erasure_records.erased_by": "C-96: the retention job or the confirming supervisor",
    "erasure_records.basis": "C-95: the rule or request it was erased under",
    "households.special_care_from": "特別療養費 (rules.md 4.6): delinquency's flag, from",
    "certificates.special_care": "資格確認書(特別療養費) (rules.md 4.6)",
    # resident-register intake (ADR 0015)
    "resident_register_changes.register_change_id": "the register's change id (idempotence)",
    "resident_register_changes.digest": "hash of the change's content (idempotence)",
    "resident_register_changes.source": "which feed or file it came from",
    "resident_register_changes.kind": "the register's change kind (転入, 死亡 ...)",
    "resident_register_changes.fact_date": "the register's 異動日 (NHI-Q-14/16 evidence)",
    "resident_register_changes.notified_date": "the register's 届出日",
    "resident_register_changes.outcome": "pending change, work item, review or already so",
    "resident_register_changes.change_id": "the pending ex officio change it entered",
    "resident_register_changes.item_id": "the work item or review it opened",
    "resident_register_changes.received_at": "bookkeeping",
    "resident_register_items.item_id": "row key",
    "resident_register_items.list": "work list or review list",
    "resident_register_items.register_change_id": "the change it came from",
    "resident_register_items.kind": "the register's change kind",
    "resident_register_items.fact_date": "the register's 異動日",
    "resident_register_items.due_date": "the notification period's last day (施行規則2条)",
    "resident_register_items.reason_code": "the rule a review names",
    "resident_register_items.reason": "the rule in words (no personal details)",
    "resident_register_items.payload_id": "the register's details as a forgettable payload",
    "resident_register_items.status": "open or closed",
    "resident_register_items.resolution": "how a clerk closed it",
    "resident_register_items.closed_by": "the clerk who closed it (NHI-Q-47)",
    "resident_register_items.closed_at": "bookkeeping",
    "resident_register_items.position": "list order (cursor)",
    "resident_register_items.created_at": "bookkeeping",
    "resident_register_feeds.feed": "the feed's name",
    "resident_register_feeds.last_sequence": "how far the feed was read",
    # certificates by マイナ保険証 state and the bulk run (ADR 0017)
    "certificate_bases.card_status": "マイナ保険証 state from the online-qualification side",
    "certificate_bases.card_status_as_of": "the day that state was reported",
    "certificate_bases.e_certificate_expires_on": "the card's e-certificate expiry (rule 5.4)",
    "certificate_bases.dv_support": "住基 DV support: a 資格確認書 (rules.md 5.4)",
    "certificate_bases.on_application": "要配慮者 applied for a 資格確認書 (rules.md 5.4)",
    "certificate_runs.run_id": "row key",
    "certificate_runs.renewal": "which renewal of certificate_renewal.toml",
    "certificate_runs.issue_date": "the run's issue date (NHI-Q-34)",
    "certificate_runs.requested_by": "the batch operator (NHI-Q-47)",
    "certificate_runs.status": "issuing, printing or done",
    "certificate_runs.candidates": "progress count",
    "certificate_runs.issued": "progress count",
    "certificate_runs.kept": "progress count",
    "certificate_runs.refused": "progress count",
    "certificate_runs.print_files": "progress count",
    "certificate_runs.started_at": "bookkeeping",
    "certificate_runs.finished_at": "bookkeeping",
    "certificate_run_items.run_id": "the run",
    "certificate_run_items.seq": "print order",
    "certificate_run_items.certificate_id": "the certificate issued",
    "certificate_run_items.kind": "card type (NHI-Q-33)",
    "certificate_run_items.reason": "the rule that chose the document",
    # the reports' projection of other services' events (ADR 0018): household figures only
    "report_assessments.fiscal_year": "assessment's event: fiscal year",
    "report_assessments.revision": "assessment's event: revision",
    "report_assessments.assessed_on": "assessment's event: date",
    "report_assessments.annual_amount": "assessment's event: the household's premium",
    "report_assessments.previous_annual_amount": "assessment's event: the one it replaced",
    "report_assessments.statutory_reduction": "assessment's event: 7/5/2割軽減",
    "report_assessments.insured_months": "assessment's event: months assessed",
    "report_assessments.components": "assessment's event: amount per component",
    "report_assessments.capped": "assessment's event: components at the cap",
    "report_assessments.levies_after_reduction": "assessment's event: 均等割+平等割",
    "report_assessments.reductions": "assessment's event: 軽減額 per component (ADR 0080)",
    "report_collected.source": "payment, appropriation or reversal",
    "report_collected.source_id": "collection's payment or appropriation id",
    "report_collected.fiscal_year": "the instalment's fiscal year",
    "report_collected.period": "the instalment (期別)",
    "report_collected.amount": "principal collected (negative: taken back)",
    "report_collected.counted_on": "the day it counts",
    "report_benefits.payment_id": "benefits' payment id",
    "report_benefits.benefit_kind": "benefits' event: kind",
    "report_benefits.amount": "benefits' event: yen",
    "report_benefits.payment_date": "benefits' event: payment date",
    "seed_runs.name": "demo seed bookkeeping",
    "seed_runs.households": "demo seed bookkeeping",
    "seed_runs.finished_at": "demo seed bookkeeping",
}

NEVER = {"individual_number", "my_number", "household_head_individual_number"}


def own_tables() -> set[str]:
    names: set[str] = set()
    for path in sorted(MIGRATIONS.glob("*.sql")):
        names |= set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", path.read_text()))
    return names


async def test_every_persisted_column_is_a_declared_data_item(eligibility_dsn: str) -> None:
    tables = own_tables()
    assert {"households", "qualification_periods", "persons", "certificates"} <= tables
    conn = await asyncpg.connect(eligibility_dsn)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = ANY($1::text[])",
            sorted(tables),
        )
    finally:
        await conn.close()
    columns = {(r["table_name"], r["column_name"]) for r in rows}
    assert len(columns) > 50
    undeclared = sorted(
        f"{t}.{c}" for t, c in columns if c not in ITEMS and f"{t}.{c}" not in BOOKKEEPING
    )
    assert undeclared == []
    assert not {c for _, c in columns} & NEVER
    stale = sorted(k for k in BOOKKEEPING if tuple(k.split(".")) not in columns)
    assert stale == []
