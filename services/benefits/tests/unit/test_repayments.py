"""不当利得 / 返納金 (NHI-B-58/59) on both stores: detection from a loss at its boundaries (a loss
on the 1st takes that month, a mid-month loss the next and names the loss month for review),
the insurer's share after adjustments, revision while not proposed, four eyes (case and width
folded), a claim less than detected needs a reason, withdrawal, return to the clerk, the
public ``RepaymentClaimed`` only on a claim (no claim numbers on it), the notice."""

from __future__ import annotations

from datetime import date

import pytest

from kokuho.benefits.adapters.repayment_notice_pdf import render_repayment_notice
from kokuho.benefits.app import claims as claims_app
from kokuho.benefits.app import repayments
from kokuho.benefits.domain import repayment as rp
from kokuho.benefits.domain.lump_sum import SamePersonReview
from kokuho.events.contracts import benefits as contracts
from kokuho.platform.documents.checks import text_of

from .claims_kit import a_line, claims_file, d_line
from .stores_kit import Stores

HOUSEHOLD, PERSON, OTHER = "9920000301", "9910000301", "9910000302"
TODAY = date(2026, 10, 1)
HEADER = "H,KKH-RZP,1,2026-09-20,2026-09"


async def received(stores: Stores, name: str, *lines: str, header: str = HEADER) -> None:
    text = claims_file(*lines, header=header)
    await claims_app.import_claims(stores.unit(), claims_app.ImportClaims(name, text, "U-BATCH"))


async def claims_of_summer(stores: Stores) -> None:
    """May (the loss month), June, July and August claims of the person; one of another."""
    await received(
        stores,
        "summer.csv",
        d_line("RP0001", HOUSEHOLD, PERSON, cost=100_000, self_pay=30_000, month="2026-05"),
        d_line("RP0002", HOUSEHOLD, PERSON, cost=50_000, self_pay=15_000, month="2026-06"),
        d_line("RP0003", HOUSEHOLD, PERSON, cost=20_000, self_pay=6_000, month="2026-07"),
        d_line("RP0004", HOUSEHOLD, PERSON, cost=10_000, self_pay=3_000, month="2026-08"),
        d_line("RP0005", HOUSEHOLD, OTHER, cost=90_000, self_pay=27_000, month="2026-07"),
    )


def detect(loss: date) -> rp.Detect:
    return rp.Detect(HOUSEHOLD, PERSON, loss, (), TODAY)


@pytest.mark.parametrize(
    ("loss", "claims", "amount", "review_month"),
    [
        # a loss on the 1st: that month is wholly after it
        (date(2026, 6, 1), ["RP0002", "RP0003", "RP0004"], 35_000 + 14_000 + 7_000, None),
        # a mid-month loss: from the next month; the loss month named for the clerk
        (date(2026, 5, 15), ["RP0002", "RP0003", "RP0004"], 56_000, date(2026, 5, 1)),
        (date(2026, 5, 2), ["RP0002", "RP0003", "RP0004"], 56_000, date(2026, 5, 1)),
        (date(2026, 5, 1), ["RP0001", "RP0002", "RP0003", "RP0004"], 126_000, None),
        (date(2026, 8, 2), [], 0, date(2026, 8, 1)),
    ],
)
async def test_detection_at_the_loss_month_boundaries(
    stores: Stores, loss: date, claims: list[str], amount: int, review_month: date | None
) -> None:
    await claims_of_summer(stores)
    case = await repayments.detect_repayment(stores.unit(), detect(loss))
    if not claims:
        assert case is None
        return
    assert case is not None
    assert [c.claim_number for c in case.claims] == claims
    assert (case.detected_amount, case.review_month, case.status) == (
        amount,
        review_month,
        "detected",
    )


async def test_adjusted_amounts_later_claims_and_the_same_detection_twice(stores: Stores) -> None:
    await claims_of_summer(stores)
    first = await repayments.detect_repayment(stores.unit(), detect(date(2026, 7, 1)))
    assert first is not None
    assert first.detected_amount == 14_000 + 7_000
    again = await repayments.detect_repayment(stores.unit(), detect(date(2026, 7, 1)))
    assert again == first  # nothing new: no second event
    # a 過誤 lowers July's claim; a September claim arrives: the case is revised
    await received(
        stores,
        "later.csv",
        a_line("RP0003", "E", 10_000, 3_000),
        d_line("RP0006", HOUSEHOLD, PERSON, cost=40_000, self_pay=12_000, month="2026-09"),
        header="H,KKH-RZP,1,2026-10-20,2026-10",
    )
    revised = await repayments.detect_repayment(stores.unit(), detect(date(2026, 7, 1)))
    assert revised is not None
    assert revised.repayment_id == first.repayment_id
    assert revised.detected_amount == 7_000 + 7_000 + 28_000
    assert revised.version == 2


async def case_of(stores: Stores) -> rp.Repayment:
    await claims_of_summer(stores)
    case = await repayments.detect_repayment(stores.unit(), detect(date(2026, 6, 1)))
    assert case is not None
    return case


def propose(claim: bool = True, amount: int | None = None, reason: str = "") -> rp.Propose:
    return rp.Propose(claim, amount, reason, "benefits-clerk-1", TODAY)


def review(agree: bool = True, by: str = "benefits-super-1", reason: str = "") -> rp.Review:
    return rp.Review(agree, reason, by, TODAY, date(2026, 10, 31))


async def test_four_eyes_then_claimed_with_its_public_event_and_notice(stores: Stores) -> None:
    case = await case_of(stores)
    proposed = await repayments.propose_repayment(stores.unit(), case.repayment_id, propose())
    assert (proposed.status, proposed.amount) == ("proposed", 56_000)
    for same in ("benefits-clerk-1", "BENEFITS-CLERK-1", "ｂｅｎｅｆｉｔｓ-clerk-1"):
        with pytest.raises(SamePersonReview):
            await repayments.review_repayment(stores.unit(), case.repayment_id, review(by=same))
    claimed = await repayments.review_repayment(stores.unit(), case.repayment_id, review())
    assert (claimed.status, claimed.amount, claimed.due_date) == (
        "claimed",
        56_000,
        date(2026, 10, 31),
    )
    uow = stores.unit()
    async with uow:
        recorded = await uow.events.load(rp.stream_id(PERSON, date(2026, 6, 1)))
    assert [r.event_type.split(".")[3] for r in recorded] == [
        "repayment_detected",
        "repayment_proposed",
        "repayment_reviewed",
        "repayment_claimed",
    ]
    public = recorded[-1].envelope.data
    assert public["amount"] == 56_000
    assert public["claims"] == 3
    assert "RP0002" not in str(public)  # no claim (health) details on the topic
    with pytest.raises(rp.RepaymentNotOpen):
        await repayments.propose_repayment(stores.unit(), case.repayment_id, propose())
    text = text_of(render_repayment_notice(claimed, TODAY))
    assert "返納金納入通知書" in text
    assert "56,000円" in text
    assert "令和8年10月31日" in text


async def test_less_than_detected_needs_a_reason_and_the_range(stores: Stores) -> None:
    case = await case_of(stores)
    for bad in (propose(amount=50_000), propose(amount=56_001), propose(claim=False)):
        with pytest.raises(rp.RepaymentInvalid):
            await repayments.propose_repayment(stores.unit(), case.repayment_id, bad)
    less = propose(amount=50_000, reason="June claim partly before the loss (provider confirmed)")
    proposed = await repayments.propose_repayment(stores.unit(), case.repayment_id, less)
    assert proposed.amount == 50_000


async def test_returned_then_withdrawn(stores: Stores) -> None:
    case = await case_of(stores)
    await repayments.propose_repayment(stores.unit(), case.repayment_id, propose())
    with pytest.raises(rp.RepaymentInvalid):
        await repayments.review_repayment(stores.unit(), case.repayment_id, review(agree=False))
    back = await repayments.review_repayment(
        stores.unit(), case.repayment_id, review(agree=False, reason="check the new insurer")
    )
    assert back.status == "detected"
    withdrawn_proposal = propose(claim=False, reason="the new insurer pays the provider")
    await repayments.propose_repayment(stores.unit(), case.repayment_id, withdrawn_proposal)
    done = await repayments.review_repayment(stores.unit(), case.repayment_id, review())
    assert (done.status, done.amount) == ("withdrawn", 0)
    uow = stores.unit()
    async with uow:
        recorded = await uow.events.load(rp.stream_id(PERSON, date(2026, 6, 1)))
    types = {r.event_type for r in recorded}
    assert contracts.RepaymentClaimed.event_type not in types
    assert await repayments.open_repayments(stores.unit(), 10) == []


async def test_a_due_date_must_follow_the_decision(stores: Stores) -> None:
    case = await case_of(stores)
    await repayments.propose_repayment(stores.unit(), case.repayment_id, propose())
    late = rp.Review(True, "", "benefits-super-1", TODAY, TODAY)
    with pytest.raises(rp.RepaymentInvalid, match="due_date"):
        await repayments.review_repayment(stores.unit(), case.repayment_id, late)
    (listed,) = await repayments.open_repayments(stores.unit(), 10)
    assert listed.status == "proposed"
