"""The vault's use cases on the in-memory unit of work (no database): each enters the unit,
decides with the domain's rules and records its audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kokuho.events.transfers import REGISTRY_FILE
from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.federation_simulator import FederationSimulator
from kokuho.linkage_gateway.adapters.intermediate_server_simulator import (
    IntermediateServerSimulator,
)
from kokuho.linkage_gateway.adapters.jlis_simulator import JlisSimulator
from kokuho.linkage_gateway.adapters.memory import InMemoryGatewayUnit
from kokuho.linkage_gateway.adapters.parameters import (
    load_permitted_inquiries,
    load_resolution_policy,
    load_transfer_registry,
)
from kokuho.linkage_gateway.adapters.portal_simulator import (
    PortalSimulator,
    ResidentRecordSimulator,
)
from kokuho.linkage_gateway.adapters.signature import X509SignatureVerifier
from kokuho.linkage_gateway.adapters.transfer_channel_simulator import TransferChannelSimulator
from kokuho.linkage_gateway.app import vault
from kokuho.linkage_gateway.app.ports import Ports
from kokuho.linkage_gateway.config import PARAMETERS
from kokuho.linkage_gateway.domain.individual_number import (
    IndividualNumber,
    InvalidIndividualNumber,
)
from kokuho.linkage_gateway.domain.resolution import ResolutionNotPermitted
from kokuho.linkage_gateway.domain.vault import (
    NumberBoundToAnotherPerson,
    NumberNotAuthentic,
    SecondNumberForPerson,
)
from kokuho.platform.audit import Outcome
from kokuho.platform.unit_of_work import RecordingAudit

AT = datetime(2026, 4, 1, tzinfo=UTC)
POLICY = load_resolution_policy(PARAMETERS / "resolution_permits.toml")
OPERATOR = frozenset({"linkage.operator"})
CLERK = frozenset({"eligibility.clerk"})
Numbers = Callable[[], IndividualNumber]


class Gateway:
    """The use cases on one in-memory unit with simulated counterparts."""

    def __init__(self, sealer: EnvelopeSealer) -> None:
        self.uow = InMemoryGatewayUnit()
        self.repo = self.uow.vault
        self.jlis = JlisSimulator()
        self.sealer = sealer
        self.ports = Ports(
            sealer=sealer,
            identity=self.jlis,
            policy=POLICY,
            server=IntermediateServerSimulator(),
            permits=load_permitted_inquiries(PARAMETERS / "permitted_inquiries.toml"),
            federation=FederationSimulator(),
            portal=PortalSimulator(),
            residents=ResidentRecordSimulator(),
            signatures=X509SignatureVerifier([], []),
            transfers=load_transfer_registry(REGISTRY_FILE),
            channel=TransferChannelSimulator(),
            clock=lambda: AT,
        )

    @property
    def audit(self) -> list[dict[str, object]]:
        assert isinstance(self.uow.audit, RecordingAudit)
        return self.uow.audit.records

    async def register(
        self,
        who: str,
        n: IndividualNumber | str,
        *,
        affair: str = "nhi-eligibility",
        roles: frozenset[str] = CLERK,
    ) -> vault.Registration:
        command = vault.RegisterNumber(
            addressee_number=who,
            individual_number=n if isinstance(n, str) else n.value,
            affair=affair,
            user_id="U-TEST",
            roles=roles,
            at=AT,
        )
        return await vault.register_number(self.uow, self.uow.opener, self.ports, command)

    async def resolve(
        self, who: str, *, affair: str = "nhi-eligibility", roles: frozenset[str] = OPERATOR
    ) -> vault.Resolution:
        return await vault.resolve_number(
            self.uow, self.ports, vault.ResolveNumber(who, affair, roles)
        )


async def test_register_then_resolve(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    gw, number = Gateway(sealer), numbers()
    first = await gw.register("1000000001", number)
    assert first.created
    assert first.masked_number == number.masked
    again = await gw.register("1000000001", number)
    assert not again.created
    assert again.binding.integrated_addressee_number == first.binding.integrated_addressee_number
    assert gw.jlis.calls == 1  # the same number again needs no new authenticity check
    resolved = await gw.resolve("1000000001")
    assert resolved.number == number
    found = await vault.look_up_number(
        gw.uow, gw.ports, vault.LookUpNumber(number.value, "nhi-eligibility", OPERATOR)
    )
    assert found is not None
    assert found.addressee_number == "1000000001"
    # every call recorded its audit, and only ever the mask of the number
    assert [r["status_code"] for r in gw.audit] == [201, 200, None, 200]
    assert all(r["subjects"] == ["1000000001"] for r in gw.audit)
    assert number.value not in repr(gw.audit)
    assert gw.uow.commits == 4


async def test_integrated_addressee_numbers_are_one_to_one(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw = Gateway(sealer)
    issued = {
        (
            await gw.register(f"{1_000_000_000 + i:010d}", numbers())
        ).binding.integrated_addressee_number
        for i in range(5)
    }
    assert len(issued) == 5


async def test_refusals_change_nothing_and_go_on_the_confirmation_list(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw = Gateway(sealer)
    n1, n2, n3 = numbers(), numbers(), numbers()
    await gw.register("1000000001", n1)
    with pytest.raises(SecondNumberForPerson):
        await gw.register("1000000001", n2)
    with pytest.raises(NumberBoundToAnotherPerson):
        await gw.register("1000000002", n1)
    gw.jlis.mark_not_issued(n3)
    with pytest.raises(NumberNotAuthentic):
        await gw.register("1000000003", n3)
    with pytest.raises(InvalidIndividualNumber):
        await gw.register("1000000004", "")  # C-17: a blank number is listed too
    assert list(gw.repo.bindings) == ["1000000001"]
    assert len(gw.repo.published) == 1
    listed = [(c.addressee_number, c.rule) for c in gw.repo.confirmations]
    assert listed == [
        ("1000000001", "SecondNumberForPerson"),
        ("1000000002", "NumberBoundToAnotherPerson"),
        ("1000000004", "BlankNumber"),
    ]
    assert gw.uow.rollbacks == 3
    page, more = await vault.binding_confirmations(gw.uow, limit=2, after=0)
    assert [c.addressee_number for c in page] == ["1000000001", "1000000002"]
    assert more


async def test_resolution_needs_a_permitted_role_and_a_subject_of_the_affair(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw = Gateway(sealer)
    await gw.register("1000000001", numbers())
    with pytest.raises(ResolutionNotPermitted, match="role"):
        await gw.resolve("1000000001", roles=frozenset({"assessment.clerk"}))
    with pytest.raises(ResolutionNotPermitted, match="subject"):
        await gw.resolve("1000000001", affair="nhi-benefits")


async def test_a_lookup_for_another_affairs_subject_says_no_more_than_not_found(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw, number = Gateway(sealer), numbers()
    await gw.register("1000000001", number)  # a subject of nhi-eligibility only
    with pytest.raises(vault.HolderNotASubject) as caught:
        await vault.find_by_number(
            gw.repo, sealer, POLICY, number=number, affair="nhi-benefits", roles=OPERATOR
        )
    assert caught.value.addressee_number == "1000000001"  # for the audit, not for the caller
    found = await vault.look_up_number(
        gw.uow, gw.ports, vault.LookUpNumber(number.value, "nhi-benefits", OPERATOR)
    )
    assert found is None
    assert gw.audit[-1]["subjects"] == ["1000000001"]
    assert gw.audit[-1]["outcome"] == Outcome.FAILED
    with pytest.raises(ResolutionNotPermitted, match="role"):  # before any lookup
        await vault.find_by_number(
            gw.repo,
            sealer,
            POLICY,
            number=number,
            affair="nhi-benefits",
            roles=frozenset({"eligibility.supervisor"}),
        )


async def test_verification_answers_match_or_mismatch_for_the_affairs_subject_only(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw, own, other = Gateway(sealer), numbers(), numbers()
    await gw.register("1000000001", own)
    # CLERK: a registrar, not a resolver, of nhi-eligibility

    async def verify(number: IndividualNumber, affair: str, roles: frozenset[str]) -> bool:
        command = vault.VerifyNumber("1000000001", number.value, affair, roles)
        return await vault.verify_number(gw.uow, gw.ports, command)

    assert await verify(own, "nhi-eligibility", CLERK) is True
    assert await verify(other, "nhi-eligibility", CLERK) is False
    with pytest.raises(ResolutionNotPermitted, match="subject"):
        await verify(own, "nhi-benefits", OPERATOR)
    with pytest.raises(ResolutionNotPermitted, match="role"):
        await verify(own, "nhi-eligibility", frozenset({"assessment.clerk"}))


async def test_a_deceased_persons_number_stays_sealed_and_resolvable_as_before(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw, number = Gateway(sealer), numbers()
    await gw.register("1000000001", number)
    assert await vault.record_death(gw.repo, addressee_number="1000000001", at=AT)
    assert not await vault.record_death(gw.repo, addressee_number="1000000001", at=AT)
    resolved = await gw.resolve("1000000001")
    assert resolved.binding.deceased
    assert resolved.number == number
    with pytest.raises(ResolutionNotPermitted):
        await gw.resolve("1000000001", roles=frozenset({"collection.clerk"}))


async def test_a_clerk_registers_only_for_the_affairs_it_acts_for(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw = Gateway(sealer)
    for affair, roles in (
        ("nhi-benefits", {"eligibility.clerk"}),
        ("delinquency", {"linkage.operator"}),
    ):
        with pytest.raises(ResolutionNotPermitted):
            await gw.register("1000000001", numbers(), affair=affair, roles=frozenset(roles))
    assert gw.repo.bindings == {}
    assert gw.jlis.calls == 0


async def test_a_refused_binding_asks_jlis_nothing(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw = Gateway(sealer)
    await gw.register("1000000001", numbers())
    with pytest.raises(SecondNumberForPerson):
        await gw.register("1000000001", numbers())
    assert gw.jlis.calls == 1


async def test_replicas_waiting_for_the_number_go_out_with_the_binding(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    gw = Gateway(sealer)
    await gw.uow.linkage.save_replica(
        "1000000001", "nhi-qualification", {"qualified": True}, 1, None
    )
    registered = await gw.register("1000000001", numbers())
    [stored] = await gw.uow.linkage.replicas_of("1000000001")
    assert stored.integrated_addressee_number == registered.binding.integrated_addressee_number
    assert stored.registered_version == 1
    assert [m.item for _, m, _ in gw.uow.linkage.registrations] == ["nhi-qualification"]
