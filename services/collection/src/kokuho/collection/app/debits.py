"""口座振替: registrations from the request form (four eyes, C-11), the monthly debit request
file and the bank's result file, both in the Zengin 120-byte layout (``domain/zengin``).

A result file is applied like a payment file: in one transaction, all lines or none unless the
operator applies the valid part, the same file again changes nothing (its SHA-256). A debited
line is a payment (channel ``direct_debit``) through the ordinary matching; a failed one leaves
the instalment owed, records ``DirectDebitFailed`` and puts a ``slip`` on the work list: an
ordinary payment slip goes out for it. Account numbers stay in ``debit_accounts``: never in an
event, an audit record's detail or a log line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from kokuho.collection.app.charges import new_id
from kokuho.collection.app.ledgers import commit_batch, open_batch
from kokuho.collection.app.line_matching import _match_line
from kokuho.collection.app.payments import ImportOutcome, PaymentFileRefused
from kokuho.collection.app.ports import (
    BankDirectory,
    CollectionUnitPort,
    Consignor,
    DebitRequest,
    ImportRecord,
    Ports,
    WorkItem,
)
from kokuho.collection.domain import direct_debit, zengin
from kokuho.collection.domain.direct_debit import AccountInvalid, DebitAccount
from kokuho.collection.domain.errors import HouseholdNotFound
from kokuho.collection.domain.payment_file import PaymentLine, RefusedLine
from kokuho.collection.domain.zengin import RESULTS
from kokuho.events.contracts.payment_numbers import parse_payment_number, payment_number


@dataclass(frozen=True)
class RegisterAccount:
    household: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder: str  # as written on the form (full-width kana accepted)
    actor: str
    today: date


async def register(uow: CollectionUnitPort, ports: Ports, command: RegisterAccount) -> DebitAccount:
    """Keyed in from the form: pending until a second person confirms it."""
    if ports.banks is None:
        raise RuntimeError("no bank directory configured")
    bank = ports.banks.bank(command.bank_code)
    if bank is None:
        raise AccountInvalid(
            f"bank code {command.bank_code} is not in the Zengin code list", "bank_code"
        )
    branch = ports.banks.branch(command.bank_code, command.branch_code)
    if branch is None:
        raise AccountInvalid(
            f"branch code {command.branch_code} is not a branch of bank {command.bank_code}",
            "branch_code",
        )
    account = DebitAccount(
        new_id("debit-account", command.household, command.actor, command.account_number, bank),
        command.household,
        command.bank_code,
        command.branch_code,
        command.account_type,
        command.account_number,
        direct_debit.check_holder(ports.kana(command.holder)),
        bank,
        branch,
        "pending",
        command.actor,
        command.today,
    )
    async with uow:
        found = await open_batch(uow, [command.household])
        if found.ledger(command.household) is None:
            raise HouseholdNotFound(f"no charges for household {command.household}")
        await uow.debit_accounts.add(account)
        await uow.audit.record(
            subjects=[command.household],
            detail={"registration_id": account.registration_id, "bank_code": account.bank_code},
        )
        return account


async def decide(
    uow: CollectionUnitPort,
    household: str,
    registration_id: str,
    actor: str,
    today: date,
    accept: bool,
) -> DebitAccount:
    """Confirmed by another person (C-11) it becomes the household's account; or rejected."""
    async with uow:
        found = await uow.debit_accounts.get(registration_id)
        if found is not None and found.household != household:
            found = None
        if accept:
            account = direct_debit.confirm(found, actor, today)
        else:
            account = direct_debit.reject(found, actor, today)
        await uow.debit_accounts.replace(account)
        await uow.audit.record(
            subjects=[household],
            detail={"registration_id": registration_id, "status": account.status},
        )
        return account


@dataclass(frozen=True)
class RequestFile:
    request: DebitRequest
    content: str  # the Zengin file as text: encode with zengin.ENCODING
    replayed: bool


def customer_number(fiscal_year: int, household: str, period: int) -> str:
    return "000" + payment_number(fiscal_year, household, period)


def _header(consignor: Consignor, debit_on: date, banks: BankDirectory) -> zengin.Header:
    bank = banks.bank(consignor.bank_code) or ""
    branch = banks.branch(consignor.bank_code, consignor.branch_code) or ""
    return zengin.Header(
        consignor.code,
        consignor.name,
        f"{debit_on:%m%d}",
        consignor.bank_code,
        bank[:15],
        consignor.branch_code,
        branch[:15],
        consignor.account_type,
        consignor.account_number,
    )


def _fit(name: str, size: int) -> str:
    while len(name.encode(zengin.ENCODING)) > size:
        name = name[:-1]
    return name


async def request_file(
    uow: CollectionUnitPort, ports: Ports, debit_on: date, actor: str
) -> RequestFile:
    """Every instalment owed and due on ``debit_on`` (振替日 = 納期限, rules.md §4.7) of a
    household with an active registration. The same day again gives the same file."""
    if ports.consignor is None or ports.banks is None:
        raise RuntimeError("no consignor or bank directory configured")
    async with uow:
        accounts = {a.household: a for a in await uow.debit_accounts.active()}
        ledgers = await uow.ledgers.load_many(sorted(accounts))
        records = []
        for household in sorted(ledgers):
            a = accounts[household]
            for c in sorted(ledgers[household].ledger.charges.values(), key=lambda c: c.key):
                if c.due_date == debit_on and c.outstanding > 0:
                    records.append(
                        zengin.DebitRecord(
                            a.bank_code,
                            _fit(a.bank_name, 15),
                            a.branch_code,
                            _fit(a.branch_name, 15),
                            a.account_type,
                            a.account_number,
                            a.holder_kana,
                            c.outstanding,
                            customer_number(c.fiscal_year, household, c.period),
                        )
                    )
        content = zengin.write(_header(ports.consignor, debit_on, ports.banks), records)
        existing = await uow.debit_requests.find(debit_on)
        request = existing or DebitRequest(
            new_id("debit-request", debit_on),
            debit_on,
            len(records),
            sum(r.amount for r in records),
            actor,
            ports.today(),
        )
        if existing is None:
            await uow.debit_requests.add(request)
        await uow.audit.record(
            subjects=sorted({h for h in accounts if h in ledgers}),
            detail={"debit_request": request.request_id, "records": len(records)},
        )
        return RequestFile(request, content, replayed=existing is not None)


@dataclass(frozen=True)
class ImportDebitResults:
    file_name: str
    content: bytes
    apply_valid_part: bool
    actor: str
    today: date


def _lines(
    parsed: zengin.ZenginFile, day: date, refused: list[RefusedLine]
) -> list[tuple[PaymentLine, str]]:
    """Each data record as a payment line (household, instalment, amount) with its code."""
    out = []
    for r in parsed.records:
        number = r.customer_number[3:]
        found = parse_payment_number(number)
        if r.customer_number[:3] != "000" or isinstance(found, str):
            reason = found if isinstance(found, str) else "does not start with 000"
            refused.append(RefusedLine(r.line, "customer_number", reason))
            continue
        fy, household, period = found
        reference = f"DD-{day:%Y%m%d}-{number}"
        out.append(
            (
                PaymentLine(
                    r.line, fy, household, period, r.amount, day, "direct_debit", reference
                ),
                r.result,
            )
        )
    return out


def _slip(line: PaymentLine, code: str, import_id: str, today: date) -> WorkItem:
    number = payment_number(line.fiscal_year, line.household, line.period)
    return WorkItem(
        new_id("slip", line.reference),
        "slip",
        f"direct debit failed ({code} {RESULTS[code]}): send a payment slip for {number}",
        line.household,
        line.amount,
        line.reference,
        today,
        import_id,
        line.line,
    )


async def import_results(
    uow: CollectionUnitPort, ports: Ports, command: ImportDebitResults
) -> ImportOutcome:
    sha256 = hashlib.sha256(command.content).hexdigest()
    async with uow:
        existing = await uow.imports.find(sha256)
        if existing is not None:
            await uow.audit.record(
                subjects=[], detail={"import_id": existing.import_id, "replayed": True}
            )
            return ImportOutcome(existing, replayed=True)
        parsed = zengin.parse(command.content)
        refused = [RefusedLine(r.line, r.field, r.reason) for r in parsed.refused]
        day = command.today
        if parsed.header is not None:
            try:
                day = direct_debit.debit_date(
                    parsed.header.debit_date, await uow.debit_requests.days(), command.today
                )
            except AccountInvalid as exc:
                refused.append(RefusedLine(1, "debit_date", str(exc)))
        lines = _lines(parsed, day, refused)
        refused.sort(key=lambda r: r.line)
        count = len(parsed.records) + sum(1 for r in parsed.refused if r.field in (None, "kind"))
        if refused and not command.apply_valid_part:
            raise PaymentFileRefused(refused, count)
        import_id = new_id("import", sha256)
        batch = await open_batch(uow, [line.household for line, _ in lines])
        items: list[WorkItem] = []
        for line, code in lines:
            if code == "0" or batch.ledger(line.household) is None:
                items += _match_line(batch, line, ports.rules, command.today, import_id)
            else:
                event = direct_debit.failed(
                    line.fiscal_year, line.period, line.amount, code, day, command.today
                )
                batch.apply(line.household, [event])
                items.append(_slip(line, code, import_id, command.today))
        await commit_batch(uow, batch)
        await uow.work_items.add_many(items)
        record = ImportRecord(
            import_id,
            sha256,
            command.file_name,
            len(parsed.records),
            sum(1 for _, code in lines if code == "0")
            - sum(1 for i in items if i.kind in ("unmatched", "duplicate")),
            len(refused),
            len(items),
            bool(refused),
            command.actor,
            command.today,
            [{"line": r.line, "field": r.field, "reason": r.reason} for r in refused],
        )
        await uow.imports.add(record)
        await uow.audit.record(
            subjects=sorted(batch.changed),
            detail={"import_id": import_id, "debit_date": day.isoformat(), "refused": len(refused)},
        )
        return ImportOutcome(record, replayed=False)
