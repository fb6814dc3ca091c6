"""Use cases of 不当利得 / 返納金 (NHI-B-58/59): detect a case from a loss of qualification
(eligibility's ``QualificationLost``, or a clerk's request for claims that came later), the
clerk's proposal, the second person's review (C-11) which claims it (``RepaymentClaimed`` on
the topic, for collection) or withdraws it; reading cases. Every touch is audited."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from kokuho.benefits.app import private_events as private
from kokuho.benefits.app.ports import BenefitsUnitPort
from kokuho.benefits.domain import repayment as rp
from kokuho.events.contracts import benefits as contracts
from kokuho.events.contracts.registry import EventContract
from kokuho.events.ports import StreamAppend


def _contracts(before: rp.Repayment | None, events: list[rp.Event]) -> list[EventContract]:
    out: list[EventContract] = []
    state = before
    for e in events:
        state = rp.evolve(state, e)
        rid = state.repayment_id
        if isinstance(e, rp.Detected):
            out.append(
                private.RepaymentDetected(
                    repayment_id=rid,
                    nhi_household_number=e.nhi_household_number,
                    addressee_number=e.addressee_number,
                    loss_date=e.loss_date,
                    claims=[
                        private.RepaymentTargetClaim(
                            claim_number=c.claim_number,
                            treatment_month=c.treatment_month,
                            medical_cost=c.medical_cost,
                            self_pay=c.self_pay,
                        )
                        for c in e.claims
                    ],
                    amount=e.amount,
                    review_month=e.review_month,
                    detected_on=e.detected_on,
                )
            )
        elif isinstance(e, rp.Proposed):
            out.append(
                private.RepaymentProposed(
                    repayment_id=rid,
                    claim=e.claim,
                    amount=e.amount,
                    reason=e.reason,
                    proposed_by=e.proposed_by,
                    proposed_on=e.proposed_on,
                )
            )
        elif isinstance(e, rp.Returned | rp.Withdrawn):
            out.append(
                private.RepaymentReviewed(
                    repayment_id=rid,
                    outcome="returned" if isinstance(e, rp.Returned) else "withdrawn",
                    reason=e.reason,
                    reviewed_by=e.reviewed_by,
                    reviewed_on=e.reviewed_on if isinstance(e, rp.Returned) else e.decided_on,
                )
            )
        else:
            out.append(
                private.RepaymentReviewed(
                    repayment_id=rid,
                    outcome="claimed",
                    reason="",
                    reviewed_by=e.reviewed_by,
                    reviewed_on=e.decided_on,
                )
            )
    return out


async def _append(
    uow: BenefitsUnitPort, before: rp.Repayment | None, events: list[rp.Event]
) -> rp.Repayment:
    after = rp.replay(events, before)
    assert after is not None
    stream = rp.stream_id(after.addressee_number, after.loss_date)
    version = before.version if before else 0
    # the case's own events are private (they list claims); RepaymentClaimed alone is public
    await uow.events.append_batch(
        [StreamAppend(stream, version, _contracts(before, events), topic=None)]
    )
    claimed = next((e for e in events if isinstance(e, rp.Claimed)), None)
    if claimed is not None:
        assert after.proposed_by is not None
        await uow.events.append_batch(
            [
                StreamAppend(
                    stream,
                    version + len(events),
                    [
                        contracts.RepaymentClaimed(
                            repayment_id=after.repayment_id,
                            nhi_household_number=after.nhi_household_number,
                            debtor_addressee_number=after.addressee_number,
                            loss_date=after.loss_date,
                            claims=len(after.claims),
                            amount=claimed.amount,
                            due_date=claimed.due_date,
                            proposed_by=after.proposed_by,
                            decided_by=claimed.reviewed_by,
                            decided_on=claimed.decided_on,
                        )
                    ],
                    topic=uow.topic,
                    partition_key=after.nhi_household_number,
                )
            ]
        )
    # the read model's version counts the stream's events (RepaymentClaimed included)
    stored = replace(after, version=version + len(events) + (claimed is not None))
    await uow.repayments.put(stored)
    return stored


async def detect_repayment(uow: BenefitsUnitPort, command: rp.Detect) -> rp.Repayment | None:
    """Look at the person's claims after the loss; a case (new, or revised while not yet
    proposed) when there are any. None: nothing to claim."""
    async with uow:
        claims = await uow.claims.of_person_from(
            command.addressee_number, command.loss_date.replace(day=1)
        )
        seen = tuple(
            rp.ClaimSeen(c.claim_number, c.treatment_month, c.medical_cost, c.self_pay)
            for c in claims
        )
        command = rp.Detect(
            command.nhi_household_number,
            command.addressee_number,
            command.loss_date,
            seen,
            command.today,
        )
        state = await uow.repayments.by_stream(
            rp.stream_id(command.addressee_number, command.loss_date)
        )
        events = rp.decide_detect(state, command)
        await uow.audit.record(
            subjects=[command.addressee_number],
            detail={"repayment_detection": command.loss_date.isoformat(), "found": bool(events)},
        )
        if not events:
            return state
        return await _append(uow, state, events)


async def propose_repayment(
    uow: BenefitsUnitPort, repayment_id: UUID, command: rp.Propose
) -> rp.Repayment:
    async with uow:
        state = await uow.repayments.get(repayment_id)
        events = rp.decide_propose(state, command)
        after = await _append(uow, state, events)
        await uow.audit.record(
            subjects=[after.addressee_number],
            detail={"repayment_id": str(repayment_id), "proposal": command.claim},
        )
        return after


async def review_repayment(
    uow: BenefitsUnitPort, repayment_id: UUID, command: rp.Review
) -> rp.Repayment:
    async with uow:
        state = await uow.repayments.get(repayment_id)
        events = rp.decide_review(state, command)
        after = await _append(uow, state, events)
        await uow.audit.record(
            subjects=[after.addressee_number],
            detail={"repayment_id": str(repayment_id), "status": after.status},
        )
        return after


async def read_repayment(uow: BenefitsUnitPort, repayment_id: UUID) -> rp.Repayment:
    async with uow:
        state = await uow.repayments.get(repayment_id)
        if state is None:
            raise rp.RepaymentNotFound("repayment_id: no such case")
        await uow.audit.record(
            subjects=[state.addressee_number], detail={"repayment_id": str(repayment_id)}
        )
        return state


async def open_repayments(uow: BenefitsUnitPort, limit: int) -> list[rp.Repayment]:
    async with uow:
        found = await uow.repayments.open_cases(limit)
        await uow.audit.record(
            subjects=sorted({s.addressee_number for s in found}),
            detail={"open_repayments": len(found)},
        )
        return found
