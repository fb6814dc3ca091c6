"""Actions that take effect at once (no second clerk): issuing a document, collecting it,
and the daily jobs' steps. The caller records the audit."""

from __future__ import annotations

from uuid import uuid4

from kokuho.eligibility.app.changes import Outcome
from kokuho.eligibility.app.ports import Eligibility, EligibilityUnitPort
from kokuho.eligibility.app.streams import append, existing_household, household_stream
from kokuho.eligibility.app.translate import Provenance, to_contract
from kokuho.eligibility.domain import commands as c
from kokuho.eligibility.domain.household import decide


async def act(
    uow: EligibilityUnitPort,
    ports: Eligibility,
    household_number: str,
    command: c.Command,
    kind: str,
    user_id: str,
) -> Outcome:
    async with uow:
        loaded = await existing_household(uow, household_number)
        events = decide(loaded.state, command, ports.rules)
        provenance = Provenance(uuid4(), user_id, None, False)
        contracts = [to_contract(x, provenance) for x in events]
        await append(
            uow,
            household_stream(household_number),
            loaded.version,
            contracts,
            publish=True,
            partition_key=household_number,
        )
        await uow.read_models.project(contracts)
        subject = getattr(command, "addressee_number", None)
        return Outcome(
            provenance.change_id,
            kind,
            "done",
            household_number,
            (subject,) if isinstance(subject, str) else (),
            user_id,
            None,
            tuple(contracts),
        )
