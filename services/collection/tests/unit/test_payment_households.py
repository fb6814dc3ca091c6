"""The payment file is matched a household at a time (its lines in file order on the ledger the
lines before left): the same ledgers, events and work items as matching it line by line, the
way it was matched before (issue 10), whatever the lines (unknown households, duplicates of
earlier payments and within the file, instalments without a charge, late and over-payments)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kokuho.collection.adapters.rows import ledger_from_json, ledger_to_json
from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ledgers import Batch
from kokuho.collection.app.line_matching import (
    by_household,
    match_file,
    over_payment_items,
    payment_id,
)
from kokuho.collection.app.ports import Versioned, WorkItem
from kokuho.collection.domain import matching
from kokuho.collection.domain.errors import DuplicatePayment
from kokuho.collection.domain.ledger import Ledger
from kokuho.collection.domain.payment_file import PaymentLine, notice_number

from .ledgers import FY, apply, assess, assessed
from .rules import PACKAGED

TODAY = date(FY, 12, 31)  # the packaged rates end with 2026
IMPORT = "import-1"
KNOWN = ["9950000001", "9950000002", "9950000003"]
HOUSEHOLDS = [*KNOWN, "9950000009"]  # the last has no charges


def line_by_line(batch: Batch, lines: list[PaymentLine]) -> list[WorkItem]:
    """The matching as it was (``_match_line`` before issue 10's change), the reference."""
    items: list[WorkItem] = []
    for line in lines:
        if batch.ledger(line.household) is None:
            notice = notice_number(line.fiscal_year, line.household, line.period)
            items.append(
                WorkItem(
                    new_id("work", IMPORT, line.line),
                    "unmatched",
                    f"notice {notice}: no charges for the household",
                    None,
                    line.amount,
                    line.reference,
                    TODAY,
                    IMPORT,
                    line.line,
                    channel=line.channel,
                    paid_on=line.paid_on,
                )
            )
            continue
        command = matching.ReceivePayment(
            payment_id(line.channel, line.reference),
            line.amount,
            line.channel,
            line.fiscal_year,
            line.period,
            line.reference,
            line.paid_on,
            TODAY,
        )
        try:
            _, events = batch.decide(
                line.household, lambda s, c=command: matching.receive(s, c, PACKAGED)
            )
        except DuplicatePayment:
            items.append(
                WorkItem(
                    new_id("work", IMPORT, line.line),
                    "duplicate",
                    f"reference {line.reference} was recorded already",
                    line.household,
                    line.amount,
                    line.reference,
                    TODAY,
                    IMPORT,
                    line.line,
                    channel=line.channel,
                    paid_on=line.paid_on,
                )
            )
            continue
        items += over_payment_items(
            events, line.household, TODAY, IMPORT, line.line, ("work", IMPORT, line.line)
        )
    return items


def ledgers(amounts: list[list[int]], paid_before: list[int]) -> dict[str, Ledger]:
    out = {}
    for household, amount, paid in zip(KNOWN, amounts, paid_before, strict=True):
        ledger = assess(Ledger(household), assessed(amount))
        if paid:  # a payment recorded before the file (reference R-0 in the file repeats it)
            command = matching.ReceivePayment(
                payment_id("bank", "R-0"), paid, "bank", FY, 1, "R-0", date(FY, 7, 1), TODAY
            )
            ledger = apply(ledger, matching.receive(ledger, command, PACKAGED))
        out[household] = ledger
    return out


def loaded(ledgers_: dict[str, Ledger]) -> Batch:
    """As a file's import loads them: from their snapshots (charges decoded when read)."""
    return Batch(
        {
            h: Versioned(ledger_from_json(json.loads(json.dumps(ledger_to_json(led)))), 3)
            for h, led in ledgers_.items()
        }
    )


line_values = st.tuples(
    st.sampled_from(HOUSEHOLDS),
    st.integers(1, 11),  # 11: an instalment without a charge
    st.integers(1, 60_000),
    st.integers(0, 200),  # days after 1 June: many late
    st.sampled_from(["bank", "convenience_store"]),
    st.integers(0, 6),  # few references: repeats within the file and of R-0
)


def payment_lines(values: list[tuple[str, int, int, int, str, int]]) -> list[PaymentLine]:
    """The file's lines (from line 2) of ``line_values``."""
    return [
        PaymentLine(
            n + 2,
            FY,
            household,
            period,
            amount,
            min(date(FY, 6, 1) + timedelta(days=days), TODAY),
            channel,
            f"R-{ref}",
        )
        for n, (household, period, amount, days, channel, ref) in enumerate(values)
    ]


@settings(max_examples=150, deadline=None)
@given(
    amounts=st.lists(
        st.lists(st.integers(0, 40_000), min_size=10, max_size=10), min_size=3, max_size=3
    ),
    paid_before=st.lists(st.integers(0, 30_000), min_size=3, max_size=3),
    values=st.lists(line_values, max_size=25),
)
def test_matched_by_household_as_line_by_line(
    amounts: list[list[int]],
    paid_before: list[int],
    values: list[tuple[str, int, int, int, str, int]],
) -> None:
    lines = payment_lines(values)
    start = ledgers(amounts, paid_before)
    expected_batch = loaded(start)
    expected = line_by_line(expected_batch, lines)

    batch = loaded(start)
    items = match_file(batch, lines, PACKAGED, TODAY, IMPORT)

    assert items == expected
    assert batch.changed == expected_batch.changed
    assert list(batch.events.items()) == list(expected_batch.events.items())


def test_the_lines_of_a_household_keep_their_order_households_their_first_appearance() -> None:
    def line(n: int, household: str) -> PaymentLine:
        return PaymentLine(n, FY, household, 1, 100, date(FY, 7, 1), "bank", f"R{n}")

    lines = [line(2, "b"), line(3, "a"), line(4, "b"), line(5, "c"), line(6, "a")]
    grouped = by_household(lines)
    assert list(grouped) == ["b", "a", "c"]
    assert [[x.line for x in v] for v in grouped.values()] == [[2, 4], [3, 6], [5]]
