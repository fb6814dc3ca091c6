"""口座振替 registrations and request files on PostgreSQL and in memory (the same contract
tests run on both), and the Zengin bank and branch code list (the ``zengin_code`` package)
with the holder's name normalised to half-width kana (``jaconv``)."""

from __future__ import annotations

import dataclasses
from datetime import date

import asyncpg
import jaconv
import zengin_code  # type: ignore[import-untyped]

from kokuho.collection.app.ports import DebitRequest
from kokuho.collection.domain.direct_debit import DebitAccount

_SELECT = (
    "SELECT registration_id, household, bank_code, branch_code, account_type, account_number,"
    " holder_kana, bank_name, branch_name, status, entered_by, entered_on, confirmed_by,"
    " confirmed_on FROM debit_accounts"
)


class ZenginBanks:
    """Bank and branch codes of the Zengin code list, their names in half-width kana."""

    def bank(self, bank_code: str) -> str | None:
        bank = zengin_code.Bank.all.get(bank_code)
        return None if bank is None else to_bank_kana(bank.kana)

    def branch(self, bank_code: str, branch_code: str) -> str | None:
        bank = zengin_code.Bank.all.get(bank_code)
        branch = None if bank is None else bank.branches.get(branch_code)
        return None if branch is None else to_bank_kana(branch.kana)


#: small kana the Zengin character set does not carry (banks write them full size)
_SMALL = str.maketrans(
    "ァィゥェォャュョッヮぁぃぅぇぉゃゅょっゎ", "アイウエオヤユヨツワあいうえおやゆよつわ"
)


def to_bank_kana(name: str) -> str:
    """A name as the Zengin layout carries it: half-width katakana, upper-case letters,
    digits; small kana written full size, the ideographic space and long vowel mark half-width."""
    text = jaconv.hira2kata(name.translate(_SMALL))
    text = jaconv.z2h(text, kana=True, ascii=True, digit=True).replace("\u3000", " ")
    return " ".join(text.upper().split())


class PostgresDebitAccounts:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, account: DebitAccount) -> None:
        await self._conn.execute(
            "INSERT INTO debit_accounts (registration_id, household, bank_code, branch_code,"
            " account_type, account_number, holder_kana, bank_name, branch_name, status,"
            " entered_by, entered_on, confirmed_by, confirmed_on) VALUES ($1, $2, $3, $4, $5,"
            " $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (registration_id) DO NOTHING",
            *dataclasses.astuple(account),
        )

    async def get(self, registration_id: str) -> DebitAccount | None:
        row = await self._conn.fetchrow(
            _SELECT + " WHERE registration_id = $1",
            registration_id,
        )
        return None if row is None else DebitAccount(**dict(row))

    async def replace(self, account: DebitAccount) -> None:
        if account.status == "active":
            await self._conn.execute(
                "UPDATE debit_accounts SET status = 'replaced'"
                " WHERE household = $1 AND status = 'active'",
                account.household,
            )
        await self._conn.execute(
            "UPDATE debit_accounts SET status = $2, confirmed_by = $3, confirmed_on = $4"
            " WHERE registration_id = $1",
            account.registration_id,
            account.status,
            account.confirmed_by,
            account.confirmed_on,
        )

    async def active(self) -> list[DebitAccount]:
        rows = await self._conn.fetch(_SELECT + " WHERE status = 'active' ORDER BY household")
        return [DebitAccount(**dict(r)) for r in rows]


class PostgresDebitRequests:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, debit_on: date) -> DebitRequest | None:
        row = await self._conn.fetchrow(
            "SELECT request_id, debit_on, count, total, created_by, created_on"
            " FROM debit_requests WHERE debit_on = $1",
            debit_on,
        )
        return None if row is None else DebitRequest(**dict(row))

    async def add(self, request: DebitRequest) -> None:
        await self._conn.execute(
            "INSERT INTO debit_requests (request_id, debit_on, count, total, created_by,"
            " created_on) VALUES ($1, $2, $3, $4, $5, $6)",
            *dataclasses.astuple(request),
        )

    async def days(self) -> list[date]:
        return [
            r["debit_on"] for r in await self._conn.fetch("SELECT debit_on FROM debit_requests")
        ]


class InMemoryDebitAccounts:
    def __init__(self) -> None:
        self.rows: dict[str, DebitAccount] = {}

    async def add(self, account: DebitAccount) -> None:
        self.rows.setdefault(account.registration_id, account)

    async def get(self, registration_id: str) -> DebitAccount | None:
        return self.rows.get(registration_id)

    async def replace(self, account: DebitAccount) -> None:
        rows = dict(self.rows)
        if account.status == "active":
            for key, a in rows.items():
                if a.household == account.household and a.status == "active":
                    rows[key] = dataclasses.replace(a, status="replaced")
        rows[account.registration_id] = account
        self.rows = rows

    async def active(self) -> list[DebitAccount]:
        return sorted((a for a in self.rows.values() if a.status == "active"), key=_household)


def _household(account: DebitAccount) -> str:
    return account.household


class InMemoryDebitRequests:
    def __init__(self) -> None:
        self.rows: dict[date, DebitRequest] = {}

    async def find(self, debit_on: date) -> DebitRequest | None:
        return self.rows.get(debit_on)

    async def add(self, request: DebitRequest) -> None:
        if request.debit_on in self.rows:
            raise ValueError(f"a request for {request.debit_on} exists")
        self.rows[request.debit_on] = request

    async def days(self) -> list[date]:
        return sorted(self.rows)
