"""A payment file matched in chunks of households (each chunk in a thread while the one before
it is written) gives what matching it whole gives, and a failure in any chunk applies nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import asdict
from typing import Any

import pytest

from kokuho.collection.adapters.memory import InMemoryCollectionUnit
from kokuho.collection.app import charges, ledgers, payments

from .test_use_cases import RULES, TODAY, assessed, file, line

HOUSEHOLDS = ["9950000001", "9950000002", "9950000003", "9950000004"]


async def _charged() -> InMemoryCollectionUnit:
    uow = InMemoryCollectionUnit(topic="t")
    for household in HOUSEHOLDS:
        event = assessed([10_000] * 6).model_copy(
            update={"nhi_household_number": household, "assessment_id": uuid.UUID(int=1)}
        )
        await charges.apply_assessment(uow, event)
    return uow


def _interleaved() -> str:
    a, b, c, d = HOUSEHOLDS
    return file(
        line(1, 10_000, "R1", b),
        line(1, 10_000, "R2", a),
        line(1, 5_000, "R4", "9950000099"),  # unmatched: a work item
        line(2, 25_000, "R3", a),  # over-payment: a work item
        line(2, 10_000, "R5", c),
        line(3, 10_000, "R6", a),
        line(1, 10_000, "R7", d),
        line(2, 4_000, "R8", b),
    )


def _published(uow: InMemoryCollectionUnit) -> dict[str, list[tuple[str, Any]]]:
    """Per key, in order: each message's type and data (ids and times left out)."""
    out: dict[str, list[tuple[str, Any]]] = {}
    for message in uow.events.outbox:
        if message.topic == "t" and message.value:
            envelope = json.loads(message.value)
            out.setdefault(message.key, []).append((envelope["type"], envelope["data"]))
    return out


async def _import(chunk: int, monkeypatch: pytest.MonkeyPatch) -> InMemoryCollectionUnit:
    monkeypatch.setattr(payments, "CHUNK_HOUSEHOLDS", chunk)
    uow = await _charged()
    command = payments.ImportPayments("f.csv", _interleaved(), False, "U-OP", TODAY)
    outcome = await payments.import_payments(uow, RULES, command)
    assert (outcome.record.lines, outcome.record.applied, outcome.record.work_items) == (8, 7, 2)
    return uow


@pytest.mark.parametrize("chunk", [1, 2, 3])
async def test_chunks_of_households_give_what_the_whole_file_gives(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = await _import(1_000, monkeypatch)
    chunked = await _import(chunk, monkeypatch)
    assert _published(chunked) == _published(whole)
    assert set(_published(chunked)) == set(HOUSEHOLDS)
    for household in HOUSEHOLDS:
        assert chunked.ledgers.rows[household] == whole.ledgers.rows[household]
    items = [asdict(i) for i in chunked.work_items.rows.values()]
    assert items == [asdict(i) for i in whole.work_items.rows.values()]
    assert [(i["line"], i["kind"]) for i in items] == [(4, "unmatched"), (5, "over-payment")]
    assert chunked.audit.records[-1]["subjects"] == sorted(HOUSEHOLDS)  # type: ignore[attr-defined]


async def test_a_failing_chunk_applies_nothing_and_leaves_nothing_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(payments, "CHUNK_HOUSEHOLDS", 1)
    uow = await _charged()
    before = dict(uow.ledgers.rows)
    writes = 0
    real = ledgers.commit_batch

    async def second_write_fails(*args: Any, **kwargs: Any) -> None:
        nonlocal writes
        writes += 1
        if writes == 2:
            raise RuntimeError("the database went away")
        await real(*args, **kwargs)

    monkeypatch.setattr(payments, "commit_batch", second_write_fails)
    command = payments.ImportPayments("f.csv", _interleaved(), False, "U-OP", TODAY)
    with pytest.raises(RuntimeError, match="went away"):
        await payments.import_payments(uow, RULES, command)
    assert writes == 2  # stopped at the failing chunk
    assert dict(uow.ledgers.rows) == before  # the outbox's rollback: on PostgreSQL, integration
    assert not uow.imports.rows
    assert not uow.work_items.rows
    assert asyncio.all_tasks() == {asyncio.current_task()}
