"""Rows of assessment's tables as the application's records, and the read model's upsert
(shared by the repositories and the annual run's set-based loads)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from operator import itemgetter
from typing import Any, TypeAlias

import asyncpg
from pydantic_core import to_json

from kokuho.assessment.app.annual_run import ChunkFacts
from kokuho.assessment.app.ports import HouseholdRow, MemberRow, PensionRecord, StoredAssessment
from kokuho.assessment.domain.household import Income
from kokuho.assessment.domain.income_file import AMOUNTS, BenefitFigures, IncomeRecord
from kokuho.assessment.domain.special_collection import Pension

#: a row by column name: an ``asyncpg.Record``, or a plain row of the annual run (a dict)
Row: TypeAlias = asyncpg.Record | Mapping[str, Any]
#: a query's rows as plain tuples with its column names (they pickle ~20x faster than the
#: records built from them)
PlainRows: TypeAlias = tuple[tuple[str, ...], list[tuple[Any, ...]]]


def plain_rows(records: list[asyncpg.Record]) -> PlainRows:
    return (tuple(records[0].keys()) if records else (), [tuple(r) for r in records])


def _named(rows: PlainRows) -> list[dict[str, Any]]:
    names, values = rows
    return [dict(zip(names, v, strict=True)) for v in values]


@dataclass(frozen=True)
class RawChunk:
    """A chunk of the annual run as loaded (``adapters.annual_run._load_chunk``): each query's
    rows as plain tuples, built into the engine's records (:func:`chunk_facts`) by the process
    that computes it; the writing process then pickles tuples of text, numbers and dates
    instead of building and pickling dataclasses (ADR 0106)."""

    heads: PlainRows
    members: PlainRows
    incomes: PlainRows  # of the income year (fiscal year − 1)
    previous: PlainRows
    ratios: PlainRows  # approved 減免, by entry
    pensions: PlainRows
    requested: PlainRows

    @property
    def households(self) -> int:
        return len(self.heads[1])

    @property
    def last_household(self) -> str:
        return str(self.heads[1][-1][self.heads[0].index("nhi_household_number")])


def _columns(rows: PlainRows, wanted: Sequence[str]) -> Callable[[tuple[Any, ...]], Any]:
    """The values of ``wanted`` columns of a plain row, in that order (by position: a dict a
    row and a lookup a column were a tenth of a worker's CPU, ADR 0108)."""
    names = rows[0]
    return itemgetter(*(names.index(w) for w in wanted))


#: MemberRow's fields are its columns (as ``member_row`` reads them), in order
_MEMBER_FIELDS = tuple(f.name for f in fields(MemberRow))


def _member_rows(rows: PlainRows) -> Iterator[tuple[str, MemberRow]]:
    """(household, member) of each row: ``member_row`` by position."""
    if not rows[1]:
        return
    number = _columns(rows, ("nhi_household_number",))
    values = _columns(rows, _MEMBER_FIELDS)
    for r in rows[1]:
        facts = values(r)
        # the fields in order, the last (care_exclusions) parsed; mypy cannot count a star
        member = MemberRow(*facts[:-1], care_exclusions=care_exclusions(facts[-1]))  # type: ignore[misc]
        yield number(r), member


def _income_records(rows: PlainRows) -> Iterator[IncomeRecord]:
    """``income_record`` of each row, by position."""
    if not rows[1]:
        return
    head = _columns(rows, ("addressee_number", "income_year", "birth_date", "declared"))
    amounts = _columns(rows, AMOUNTS)
    rest = _columns(rows, ("resident_tax_status", "taxable_income", "other_revenue"))
    for r in rows[1]:
        addressee, year, birth, declared = head(r)
        status, taxable, other = rest(r)
        yield IncomeRecord(
            addressee_number=addressee,
            income_year=year,
            birth_date=birth,
            income=Income(declared, **dict(zip(AMOUNTS, map(int, amounts(r)), strict=True))),
            resident_tax_status=status,
            benefit_figures=(None if taxable is None else BenefitFigures(int(taxable), int(other))),
        )


def chunk_facts(chunk: RawChunk) -> ChunkFacts:
    heads = _named(chunk.heads)
    members: dict[str, list[MemberRow]] = {h["nhi_household_number"]: [] for h in heads}
    for household, member in _member_rows(chunk.members):
        members[household].append(member)
    households = [household_row(h, members[h["nhi_household_number"]]) for h in heads]
    ratios: dict[str, list[int]] = {}
    for r in _named(chunk.ratios):
        ratios.setdefault(r["nhi_household_number"], []).append(r["ratio_percent"])
    return ChunkFacts(
        households,
        {r.addressee_number: r for r in _income_records(chunk.incomes)},
        {r["nhi_household_number"]: stored_assessment(r) for r in _named(chunk.previous)},
        ratios,
        {r["addressee_number"]: pension_record(r) for r in _named(chunk.pensions)},
        {r["nhi_household_number"]: r["method"] for r in _named(chunk.requested)},
    )


#: the read model's columns as ``assessment_row`` gives them (the annual run's COPY)
ASSESSMENT_COLUMNS = (
    "nhi_household_number",
    "fiscal_year",
    "revision",
    "assessment_id",
    "annual_amount",
    "statutory_reduction",
    "reduction_exemption_amount",
    "components",
    "explanation",
    "cause",
    "assessed_by",
    "instalments",
    "inputs",
    "parameters_digest",
    "collection",
    "notice_issued_on",
)


def _json_text(value: Any) -> str:
    """JSON text for a jsonb column, by pydantic-core (Rust): the annual run writes four
    documents a household, and the standard library's encoder was 5 % of it (issue 15)."""
    return to_json(value).decode()


def assessment_row(
    a: StoredAssessment, components: str | None = None, instalments: str | None = None
) -> tuple[Any, ...]:
    """``a`` as a COPY row of ``ASSESSMENT_COLUMNS``, its documents as JSON text: made in the
    annual run's worker processes, where a row of text pickles ~20x faster than the nested
    dicts it replaces (ADR 0106). ``components``, ``instalments``: their JSON text where the
    caller already has it."""
    return (
        a.nhi_household_number,
        a.fiscal_year,
        a.revision,
        a.assessment_id,
        a.annual_amount,
        a.statutory_reduction,
        a.reduction_exemption_amount,
        _json_text(a.components) if components is None else components,
        None if a.explanation is None else _json_text(a.explanation),
        a.cause,
        a.assessed_by,
        _json_text(a.instalments) if instalments is None else instalments,
        _json_text(a.inputs),
        a.parameters_digest,
        _json_text(a.collection),
        a.notice_issued_on,
    )


async def save_assessments(conn: asyncpg.Connection, items: Sequence[StoredAssessment]) -> None:
    """Multi-row upsert of the assessment read model."""
    if not items:
        return
    await conn.executemany(
        "INSERT INTO assessments (nhi_household_number, fiscal_year, revision, assessment_id,"
        " annual_amount, statutory_reduction, reduction_exemption_amount, components,"
        " explanation, cause, assessed_by, instalments, inputs, parameters_digest, collection,"
        " notice_issued_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12::jsonb,"
        " $13::jsonb, $14, $15::jsonb, $16)"
        " ON CONFLICT (nhi_household_number, fiscal_year) DO UPDATE SET"
        " revision = EXCLUDED.revision, assessment_id = EXCLUDED.assessment_id,"
        " annual_amount = EXCLUDED.annual_amount,"
        " statutory_reduction = EXCLUDED.statutory_reduction,"
        " reduction_exemption_amount = EXCLUDED.reduction_exemption_amount,"
        " components = EXCLUDED.components, explanation = EXCLUDED.explanation,"
        " cause = EXCLUDED.cause, assessed_by = EXCLUDED.assessed_by, assessed_at = now(),"
        " instalments = EXCLUDED.instalments, inputs = EXCLUDED.inputs,"
        " parameters_digest = EXCLUDED.parameters_digest, collection = EXCLUDED.collection,"
        " notice_issued_on = EXCLUDED.notice_issued_on",
        [assessment_row(a) for a in items],
    )


def household_row(head: Row, members: Sequence[MemberRow]) -> HouseholdRow:
    """A household of the projection from its ``households`` row and its members."""
    return HouseholdRow(
        nhi_household_number=head["nhi_household_number"],
        householder_addressee_number=head["householder_addressee_number"],
        deemed_householder=head["deemed_householder"],
        specified_household_since=head["specified_household_since"],
        members=tuple(members),
    )


def member_row(r: Row) -> MemberRow:
    return MemberRow(
        addressee_number=r["addressee_number"],
        birth_date=r["birth_date"],
        insured=r["insured"],
        specified_same_household=r["specified_same_household"],
        acquisition_date=r["acquisition_date"],
        loss_date=r["loss_date"],
        former_dependant_since=r["former_dependant_since"],
        involuntary_separation_date=r["involuntary_separation_date"],
        childbirth_date=r["childbirth_date"],
        childbirth_multiple=r["childbirth_multiple"],
        care_exclusions=care_exclusions(r["care_exclusions"]),
    )


def care_exclusions(value: Any) -> tuple[tuple[date, date | None], ...]:
    """The stored 介護保険適用除外 periods, by start."""
    if value == "[]" or value == []:
        return ()  # nearly every member: no JSON to parse
    periods = [
        (date.fromisoformat(p["start"]), None if p["end"] is None else date.fromisoformat(p["end"]))
        for p in _json(value)
    ]
    return tuple(sorted(periods))


def income_record(r: Row) -> IncomeRecord:
    return IncomeRecord(
        addressee_number=r["addressee_number"],
        income_year=r["income_year"],
        birth_date=r["birth_date"],
        income=Income(declared=r["declared"], **{name: int(r[name]) for name in AMOUNTS}),
        resident_tax_status=r["resident_tax_status"],
        benefit_figures=(
            None
            if r["taxable_income"] is None
            else BenefitFigures(int(r["taxable_income"]), int(r["other_revenue"]))
        ),
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def stored_assessment(r: Row) -> StoredAssessment:
    return StoredAssessment(
        nhi_household_number=r["nhi_household_number"],
        fiscal_year=r["fiscal_year"],
        revision=r["revision"],
        assessment_id=r["assessment_id"],
        annual_amount=int(r["annual_amount"]),
        statutory_reduction=r["statutory_reduction"],
        reduction_exemption_amount=int(r["reduction_exemption_amount"]),
        components=_json(r["components"]),
        explanation=None if r["explanation"] is None else _json(r["explanation"]),
        cause=r["cause"],
        assessed_by=r["assessed_by"],
        instalments=_json(r["instalments"]),
        inputs=_json(r["inputs"]),
        parameters_digest=r["parameters_digest"],
        collection=_json(r["collection"]),
        notice_issued_on=r["notice_issued_on"],
    )


def pension_record(r: Row) -> PensionRecord:
    return PensionRecord(
        Pension(int(r["annual_amount"]), r["ltc_special_collection"], int(r["ltc_premium"])),
        int(r["previous_february_deduction"]),
    )
