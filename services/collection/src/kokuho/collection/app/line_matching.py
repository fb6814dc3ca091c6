"""A payment file's lines matched to the households' charges (消込), a household at a time in
file order, as line by line would (issue 10, ADR 0104): shared by the payment file, the debit
and pension result files and the work list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ledgers import Batch
from kokuho.collection.app.ports import WorkItem
from kokuho.collection.domain import matching
from kokuho.collection.domain.errors import DuplicatePayment
from kokuho.collection.domain.ledger import Event, PaymentReceived, replay
from kokuho.collection.domain.parameters import CollectionRules
from kokuho.collection.domain.payment_file import PaymentLine, notice_number


def payment_id(channel: str, reference: str) -> str:
    """The same bank line, slip or receipt is the same payment (a duplicate is found by it)."""
    return new_id("payment", channel, reference)


def _line_item(
    line: PaymentLine, kind: str, reason: str, household: str | None, import_id: str, today: date
) -> WorkItem:
    return WorkItem(
        new_id("work", import_id, line.line),
        kind,
        reason,
        household,
        line.amount,
        line.reference,
        today,
        import_id,
        line.line,
        channel=line.channel,
        paid_on=line.paid_on,
    )


def match_household(
    batch: Batch,
    household: str,
    lines: Sequence[PaymentLine],
    rules: CollectionRules,
    today: date,
    import_id: str,
) -> tuple[list[WorkItem], int | None]:
    """A household's lines of the file in file order, each decided on the ledger the ones
    before it left (as line by line), the ledger and its events put in the batch once. Returns
    the work items and the line of the household's first payment recorded (None if none)."""
    ledger = batch.ledger(household)
    if ledger is None:
        return [
            _line_item(
                line,
                "unmatched",
                f"notice {notice_number(line.fiscal_year, household, line.period)}:"
                " no charges for the household",
                None,
                import_id,
                today,
            )
            for line in lines
        ], None
    items: list[WorkItem] = []
    events: list[Event] = []
    first: int | None = None
    for line in lines:
        command = matching.ReceivePayment(
            payment_id(line.channel, line.reference),
            line.amount,
            line.channel,
            line.fiscal_year,
            line.period,
            line.reference,
            line.paid_on,
            today,
        )
        try:
            decided = matching.receive(ledger, command, rules)
        except DuplicatePayment:
            reason = f"reference {line.reference} was recorded already"
            items.append(_line_item(line, "duplicate", reason, household, import_id, today))
            continue
        ledger = replay(household, decided, ledger)
        events += decided
        first = line.line if first is None else first
        paid = decided[0]  # receive's first event is the payment: most leave nothing over
        if not isinstance(paid, PaymentReceived) or paid.overpaid:
            items += over_payment_items(
                decided, household, today, import_id, line.line, ("work", import_id, line.line)
            )
    batch.put(household, ledger, events)
    return items, first


def _match_line(
    batch: Batch, line: PaymentLine, rules: CollectionRules, today: date, import_id: str
) -> list[WorkItem]:
    """One line (a debit or pension result file's, mixed with other kinds of lines)."""
    return match_household(batch, line.household, [line], rules, today, import_id)[0]


def match_file(
    batch: Batch,
    lines: Sequence[PaymentLine],
    rules: CollectionRules,
    today: date,
    import_id: str,
) -> list[WorkItem]:
    """The file's valid lines matched a household at a time, with the ledgers, events and work
    items (in line order) that matching them line by line gives."""
    items: list[WorkItem] = []
    recorded: list[tuple[int, str]] = []
    for household, of_household in by_household(lines).items():
        found, first = match_household(batch, household, of_household, rules, today, import_id)
        items += found
        if first is not None:
            recorded.append((first, household))
    items.sort(key=lambda item: item.line or 0)  # a line makes at most one item
    # the events in the order line by line appended them (a household whose first line was a
    # duplicate comes after the households its later lines follow)
    recorded.sort()
    batch.reorder([household for _, household in recorded])
    return items


def by_household(lines: Sequence[PaymentLine]) -> dict[str, list[PaymentLine]]:
    """Each household's lines in file order, households in the order the file first names
    them."""
    of: dict[str, list[PaymentLine]] = {}
    for line in lines:
        found = of.get(line.household)
        if found is None:
            of[line.household] = [line]
        else:
            found.append(line)
    return of


def over_payment_items(
    events: Sequence[object],
    household: str,
    today: date,
    import_id: str | None,
    line: int | None,
    item_key: tuple[object, ...],
) -> list[WorkItem]:
    """The work item of a payment's overpaid part (its id from ``item_key``, made only when
    there is one: the payment file asks this per line)."""
    received = next(e for e in events if isinstance(e, PaymentReceived))
    if not received.overpaid:
        return []
    item_id = new_id(*item_key)
    kind = "over-payment" if received.applied or received.period is None else "no-charge"
    reason = (
        f"{received.overpaid} yen over what was due"
        if kind == "over-payment"
        else f"no charge for {received.fiscal_year} instalment {received.period}"
    )
    return [
        WorkItem(
            item_id,
            kind,
            reason,
            household,
            received.overpaid,
            received.reference,
            today,
            import_id,
            line,
        )
    ]
