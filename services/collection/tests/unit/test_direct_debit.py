"""口座振替 and 特別徴収 through the use cases with the in-memory unit: registrations under four
eyes, the request file, the result file (debited lines paid, failed ones slips, the same file
twice, a broken file refused whole), and the pension deduction results."""

from __future__ import annotations

import json
from datetime import date, timedelta
from uuid import uuid4

import pytest

from kokuho.collection.adapters.debits import ZenginBanks, to_bank_kana
from kokuho.collection.adapters.memory import InMemoryCollectionUnit
from kokuho.collection.app import debits, jobs, payments, pension
from kokuho.collection.app.balances import read_balance
from kokuho.collection.app.ports import Consignor, Ports
from kokuho.collection.domain import zengin
from kokuho.collection.domain.direct_debit import AccountInvalid
from kokuho.collection.domain.errors import SameStaffConfirming
from kokuho.events.contracts import collection as contracts
from kokuho.events.contracts.assessment import (
    Instalment,
    PremiumAssessed,
    SpecialCollectionDeduction,
)

from .rules import flat

H, H2 = "9950000001", "9950000002"
FY = 2026
TODAY = date(2026, 7, 3)
PORTS = Ports(
    rules=flat(),
    today=lambda: TODAY,
    render=lambda d: b"",
    banks=ZenginBanks(),
    kana=to_bank_kana,
    consignor=Consignor("1234567890", "ﾋﾛｼﾏｼ", "0001", "001", "ordinary", "0000001"),
)


def assessed(household: str, special: bool = False) -> PremiumAssessed:
    return PremiumAssessed(
        assessment_id=uuid4(),
        nhi_household_number=household,
        fiscal_year=FY,
        revision=1,
        kind="assessment",
        cause="annual_run",
        assessed_on=date(FY, 6, 15),
        annual_amount=60_000,
        difference=0,
        statutory_reduction=0,
        insured_months=12,
        components=[],
        instalments=[]
        if special
        else [
            Instalment(period=p, due_date=date(FY, 5 + p, 30), amount=10_000, difference=0)
            for p in range(1, 7)
        ],
        parameter_documents=[],
        collection_method="special" if special else "ordinary",
        special_collection_deductions=[
            SpecialCollectionDeduction(month=m, kind="provisional", amount=10_000)
            for m in (4, 6, 8, 10, 12, 2)
        ]
        if special
        else None,
    )


def registration(household: str = H, **changes: str) -> debits.RegisterAccount:
    fields = {
        "bank_code": "0001",
        "branch_code": "001",
        "account_type": "ordinary",
        "account_number": "1234567",
        "holder": "コクホ　タロウ",
        **changes,
    }
    return debits.RegisterAccount(household, actor="U-1", today=TODAY, **fields)  # type: ignore[arg-type]


async def registered(uow: InMemoryCollectionUnit, household: str = H) -> None:
    await pension.apply_assessment(uow, assessed(household))
    account = await debits.register(uow, PORTS, registration(household))
    await debits.decide(uow, household, account.registration_id, "U-2", TODAY, accept=True)


def published(uow: InMemoryCollectionUnit, event_type: str) -> list[dict[str, object]]:
    values = [json.loads(m.value) for m in uow.events.outbox if m.value]
    return [v["data"] for v in values if v["type"] == event_type]


async def test_a_registration_is_checked_normalised_and_confirmed_by_another() -> None:
    uow = InMemoryCollectionUnit()
    await pension.apply_assessment(uow, assessed(H))
    with pytest.raises(AccountInvalid, match="bank code 0002"):
        await debits.register(uow, PORTS, registration(bank_code="0002"))
    with pytest.raises(AccountInvalid, match="branch code 999"):
        await debits.register(uow, PORTS, registration(branch_code="999"))
    with pytest.raises(AccountInvalid, match="half-width"):
        await debits.register(uow, PORTS, registration(holder="国保太郎"))
    account = await debits.register(uow, PORTS, registration())
    assert (account.holder_kana, account.bank_name, account.status) == (
        "ｺｸﾎ ﾀﾛｳ",
        "ﾐｽﾞﾎ",
        "pending",
    )
    with pytest.raises(SameStaffConfirming):
        await debits.decide(uow, H, account.registration_id, "u-1", TODAY, accept=True)
    await debits.decide(uow, H, account.registration_id, "U-2", TODAY, accept=True)
    assert [a.registration_id for a in await uow.debit_accounts.active()] == [
        account.registration_id
    ]
    details = json.dumps(uow.audit.records, default=str)  # type: ignore[attr-defined]
    assert "1234567" not in details


def result_file(request: str, codes: dict[int, str]) -> bytes:
    """The bank's answer: the request's records with their result codes."""
    parsed = zengin.parse(request.encode(zengin.ENCODING))
    assert parsed.header is not None
    records = [
        zengin.DebitRecord(**{**r.__dict__, "result": codes.get(i, "0"), "line": 0})
        for i, r in enumerate(parsed.records)
    ]
    return zengin.write(parsed.header, records, result=True).encode(zengin.ENCODING)


async def test_request_then_results_pay_or_make_slips_once() -> None:
    uow = InMemoryCollectionUnit()
    await registered(uow, H)
    await registered(uow, H2)
    request = await debits.request_file(uow, PORTS, date(FY, 6, 30), "U-OP")
    assert (request.request.count, request.request.total) == (2, 20_000)
    assert "1234567" in request.content  # the file itself carries the account
    again = await debits.request_file(uow, PORTS, date(FY, 6, 30), "U-OP")
    assert (again.replayed, again.content) == (True, request.content)

    content = result_file(request.content, {1: "1"})
    command = debits.ImportDebitResults("r.txt", content, False, "U-OP", TODAY)
    outcome = await debits.import_results(uow, PORTS, command)
    assert (outcome.record.applied, outcome.record.work_items) == (1, 1)
    [paid] = published(uow, contracts.PaymentReceived.event_type)
    assert (paid["channel"], paid["period"], paid["paid_on"]) == ("direct_debit", 1, "2026-06-30")
    [failed] = published(uow, contracts.DirectDebitFailed.event_type)
    assert (failed["nhi_household_number"], failed["result"]) == (H2, "insufficient_funds")
    [slip] = uow.work_items.rows.values()
    assert (slip.kind, slip.household, slip.amount) == ("slip", H2, 10_000)
    balance = await read_balance(uow, PORTS.rules, H2, TODAY)
    assert balance.instalments[0].outstanding == 10_000
    assert "1234567" not in json.dumps([m.value.decode() for m in uow.events.outbox if m.value])

    events = len(uow.events.outbox)
    replay = await debits.import_results(uow, PORTS, command)
    assert replay.replayed
    assert len(uow.events.outbox) == events


async def test_a_broken_result_file_is_refused_whole() -> None:
    uow = InMemoryCollectionUnit()
    await registered(uow, H)
    request = await debits.request_file(uow, PORTS, date(FY, 6, 30), "U-OP")
    rows = result_file(request.content, {}).split(b"\r\n")
    rows[1] = rows[1][:119]
    rows.insert(2, b"3" + b" " * 119)
    command = debits.ImportDebitResults("r.txt", b"\r\n".join(rows), False, "U-OP", TODAY)
    with pytest.raises(payments.PaymentFileRefused) as refused:
        await debits.import_results(uow, PORTS, command)
    assert [(r.line, r.reason) for r in refused.value.refused] == [
        (2, "is 119 bytes, not 120"),
        (3, "record type '3' is not 1, 2, 8 or 9"),
        (4, "says 1, the data records make 0"),
        (4, "says 10000, the data records make 0"),
        (4, "says 1, the data records make 0"),
        (4, "says 10000, the data records make 0"),
    ]
    assert published(uow, contracts.PaymentReceived.event_type) == []
    assert uow.imports.rows == {}


async def test_pension_deductions_are_charges_paid_or_moved_to_ordinary() -> None:
    uow = InMemoryCollectionUnit()
    await pension.apply_assessment(uow, assessed(H, special=True))
    balance = await read_balance(uow, PORTS.rules, H, TODAY)
    assert [(i.period, i.due_date) for i in balance.instalments[:2]] == [
        (1, date(FY, 5, 10)),
        (2, date(FY, 7, 10)),
    ]
    text = "\n".join(
        [
            pension.pension.HEADER,
            f"{H},{FY},4,10000,deducted,,2026-04-15,P-1",
            f"{H},{FY},6,10000,stopped,pension_stopped,,P-2",
        ]
    )
    command = pension.ImportPensionResults("p.csv", text, False, "U-OP", TODAY)
    outcome = await pension.import_results(uow, PORTS.rules, command)
    assert (outcome.record.applied, outcome.record.work_items) == (2, 1)
    [paid] = published(uow, contracts.PaymentReceived.event_type)
    assert (paid["channel"], paid["period"], paid["amount"]) == ("pension", 1, 10_000)
    [stopped] = published(uow, contracts.PensionDeductionStopped.event_type)
    assert (stopped["period"], stopped["due_date"]) == (2, "2026-08-31")
    balance = await read_balance(uow, PORTS.rules, H, TODAY)
    second = balance.instalments[1]
    assert (second.due_date, second.outstanding) == (date(2026, 8, 31), 10_000)

    broken = pension.ImportPensionResults(
        "q.csv",
        "\n".join(
            [
                pension.pension.HEADER,
                f"{H},{FY},5,10000,deducted,,2026-06-15,P-3",
                f"{H},{FY},8,10000,stopped,,,P-4",
            ]
        ),
        False,
        "U-OP",
        TODAY,
    )
    with pytest.raises(payments.PaymentFileRefused) as refused:
        await pension.import_results(uow, PORTS.rules, broken)
    assert [(r.line, r.field) for r in refused.value.refused] == [
        (2, "pension_month"),
        (3, "reason"),
    ]


async def test_the_dunning_job_waits_for_the_pension_insurers_result() -> None:
    """特別徴収 instalments are not dunned before the insurer's result is imported (issue 10);
    a deduction short of the charge leaves its rest to the job, at the first dunning day."""
    uow = InMemoryCollectionUnit()
    await pension.apply_assessment(uow, assessed(H, special=True))
    first_day = date(FY, 5, 10) + timedelta(days=PORTS.rules.dunning_after_days)
    assert (await jobs.run_dunning(uow, PORTS.rules, TODAY)).items == 0
    assert first_day < TODAY  # periods 1 and 2 are past their first dunning day
    text = "\n".join([pension.pension.HEADER, f"{H},{FY},4,8000,deducted,,2026-04-15,P-1"])
    command = pension.ImportPensionResults("p.csv", text, False, "U-OP", TODAY)
    await pension.import_results(uow, PORTS.rules, command)
    assert (await jobs.run_dunning(uow, PORTS.rules, first_day - timedelta(days=1))).items == 0
    outcome = await jobs.run_dunning(uow, PORTS.rules, first_day)
    assert outcome.items == 1  # period 1's rest; period 2 still waits for its result
    [notice] = published(uow, contracts.DunningNoticeIssued.event_type)
    assert (notice["period"], notice["outstanding"]) == (1, 2_000)
