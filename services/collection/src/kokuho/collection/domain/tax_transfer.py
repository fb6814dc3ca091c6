"""移転 1 (flows.md §6): once a year, the premiums paid per payer in the calendar year, for the
municipal tax division (individual municipal resident tax: 社会保険料控除). Collection knows
households only: the payer is the householder, named by the NHI household number.

What a household paid in a year is the net premium principal paid on days of that year, as
the charges record it (``Charge.payments``): payments and 充当 add, reversals and the part a
correction released as an overpayment take away; 延滞金 and the overpaid part are not premiums
and are left out. ``pension_deducted`` is the part paid by 特別徴収 (channel ``pension``), not
reversed. A household whose net is not positive is not transferred.

The basis recorded with each transfer (controls.md C-66..C-70): recipient, use, legal basis
and method from flows.md §6 transfer 1; the items are the lines' fields, nothing else (C-67).
❌ UNCONFIRMED: linkage-gateway's registry (``transfer_flows.toml``) has no approved flow for
it yet; ``FLOW_ID`` is the name this flow is to be registered under.
"""

from __future__ import annotations

from dataclasses import dataclass

from kokuho.collection.domain.ledger import Ledger


@dataclass(frozen=True)
class TransferBasis:
    flow_id: str
    recipient: str
    use: str
    legal_basis: str
    method: str
    items: tuple[str, ...]
    source: str


BASIS = TransferBasis(
    flow_id="nhi-premiums-paid-to-municipal-tax",
    recipient="municipal-tax-division",
    use="個人住民税 (社会保険料控除): 国保料の納付情報",
    legal_basis="番号法 第9条第2項 / 市条例 第3条",
    method="platform-linkage",
    items=("nhi_household_number", "amount", "pension_deducted"),
    source="flows.md §6 transfer 1; controls.md C-66..C-70 (flow not yet in the registry)",
)
PART_SIZE = 1000


@dataclass(frozen=True)
class TransferLine:
    household: str
    amount: int
    pension_deducted: int


def paid_in_year(ledger: Ledger, year: int) -> TransferLine | None:
    amount = sum(
        yen for c in ledger.charges.values() for day, yen in c.payments if day.year == year
    )
    if amount <= 0:
        return None
    pension = sum(
        a.amount
        for p in ledger.payments.values()
        if p.channel == "pension" and not p.reversed and p.paid_on.year == year
        for a in p.applied
    )
    return TransferLine(ledger.household, amount, min(pension, amount))
