from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kokuho.linkage_gateway.adapters.crypto import EnvelopeSealer
from kokuho.linkage_gateway.adapters.jlis_simulator import JlisSimulator
from kokuho.linkage_gateway.adapters.memory_vault import InMemoryVault
from kokuho.linkage_gateway.adapters.parameters import load_resolution_policy
from kokuho.linkage_gateway.app import vault
from kokuho.linkage_gateway.config import PARAMETERS
from kokuho.linkage_gateway.domain.individual_number import IndividualNumber
from kokuho.linkage_gateway.domain.resolution import ResolutionNotPermitted
from kokuho.linkage_gateway.domain.vault import (
    NumberBoundToAnotherPerson,
    NumberNotAuthentic,
    SecondNumberForPerson,
)

AT = datetime(2026, 4, 1, tzinfo=UTC)
POLICY = load_resolution_policy(PARAMETERS / "resolution_permits.toml")
Numbers = Callable[[], IndividualNumber]


async def register(
    repo: InMemoryVault, sealer: EnvelopeSealer, jlis: JlisSimulator, who: str, n: IndividualNumber
) -> vault.Registration:
    return await vault.register_number(
        repo,
        sealer,
        jlis,
        POLICY,
        addressee_number=who,
        number=n,
        affair="nhi-eligibility",
        roles=frozenset({"eligibility.clerk"}),
        at=AT,
    )


async def test_register_then_resolve(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    repo, jlis, number = InMemoryVault(), JlisSimulator(), numbers()
    first = await register(repo, sealer, jlis, "A1", number)
    assert first.created
    assert first.masked_number == number.masked
    again = await register(repo, sealer, jlis, "A1", number)
    assert not again.created
    assert again.binding.integrated_addressee_number == first.binding.integrated_addressee_number
    assert jlis.calls == 1  # the same number again needs no new authenticity check
    resolved = await vault.resolve_number(
        repo,
        sealer,
        POLICY,
        addressee_number="A1",
        affair="nhi-eligibility",
        roles=frozenset({"linkage.operator"}),
    )
    assert resolved.number == number
    found = await vault.find_by_number(
        repo,
        sealer,
        POLICY,
        number=number,
        affair="nhi-eligibility",
        roles=frozenset({"linkage.operator"}),
    )
    assert found is not None
    assert found.addressee_number == "A1"


async def test_integrated_addressee_numbers_are_one_to_one(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    repo, jlis = InMemoryVault(), JlisSimulator()
    issued = {
        (await register(repo, sealer, jlis, f"A{i}", numbers())).binding.integrated_addressee_number
        for i in range(5)
    }
    assert len(issued) == 5


async def test_refusals_change_nothing(sealer: EnvelopeSealer, numbers: Numbers) -> None:
    repo, jlis = InMemoryVault(), JlisSimulator()
    n1, n2, n3 = numbers(), numbers(), numbers()
    await register(repo, sealer, jlis, "A1", n1)
    with pytest.raises(SecondNumberForPerson):
        await register(repo, sealer, jlis, "A1", n2)
    with pytest.raises(NumberBoundToAnotherPerson):
        await register(repo, sealer, jlis, "A2", n1)
    jlis.mark_not_issued(n3)
    with pytest.raises(NumberNotAuthentic):
        await register(repo, sealer, jlis, "A3", n3)
    assert list(repo.bindings) == ["A1"]
    assert len(repo.published) == 1


async def test_resolution_needs_a_permitted_role_and_a_subject_of_the_affair(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    repo, jlis = InMemoryVault(), JlisSimulator()
    await register(repo, sealer, jlis, "A1", numbers())
    with pytest.raises(ResolutionNotPermitted, match="role"):
        await vault.resolve_number(
            repo,
            sealer,
            POLICY,
            addressee_number="A1",
            affair="nhi-eligibility",
            roles=frozenset({"assessment.clerk"}),
        )
    with pytest.raises(ResolutionNotPermitted, match="subject"):
        await vault.resolve_number(
            repo,
            sealer,
            POLICY,
            addressee_number="A1",
            affair="nhi-benefits",
            roles=frozenset({"linkage.operator"}),
        )


async def test_a_lookup_for_another_affairs_subject_says_no_more_than_not_found(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    repo, jlis, number = InMemoryVault(), JlisSimulator(), numbers()
    await register(repo, sealer, jlis, "A1", number)  # a subject of nhi-eligibility only
    operator = frozenset({"linkage.operator"})
    with pytest.raises(vault.HolderNotASubject) as caught:
        await vault.find_by_number(
            repo, sealer, POLICY, number=number, affair="nhi-benefits", roles=operator
        )
    assert caught.value.addressee_number == "A1"  # for the audit, not for the caller
    with pytest.raises(ResolutionNotPermitted, match="role"):  # before any lookup
        await vault.find_by_number(
            repo,
            sealer,
            POLICY,
            number=number,
            affair="nhi-benefits",
            roles=frozenset({"eligibility.supervisor"}),
        )


async def test_verification_answers_match_or_mismatch_for_the_affairs_subject_only(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    repo, jlis, own, other = InMemoryVault(), JlisSimulator(), numbers(), numbers()
    await register(repo, sealer, jlis, "A1", own)
    clerk = frozenset({"eligibility.clerk"})  # a registrar, not a resolver, of nhi-eligibility

    async def verify(number: IndividualNumber, affair: str, roles: frozenset[str]) -> bool:
        return await vault.verify_number(
            repo, sealer, POLICY, addressee_number="A1", number=number, affair=affair, roles=roles
        )

    assert await verify(own, "nhi-eligibility", clerk) is True
    assert await verify(other, "nhi-eligibility", clerk) is False
    with pytest.raises(ResolutionNotPermitted, match="subject"):
        await verify(own, "nhi-benefits", frozenset({"linkage.operator"}))
    with pytest.raises(ResolutionNotPermitted, match="role"):
        await verify(own, "nhi-eligibility", frozenset({"assessment.clerk"}))


async def test_a_deceased_persons_number_stays_sealed_and_resolvable_as_before(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    repo, jlis, number = InMemoryVault(), JlisSimulator(), numbers()
    await register(repo, sealer, jlis, "A1", number)
    assert await vault.record_death(repo, addressee_number="A1", at=AT)
    assert not await vault.record_death(repo, addressee_number="A1", at=AT)
    resolved = await vault.resolve_number(
        repo,
        sealer,
        POLICY,
        addressee_number="A1",
        affair="nhi-eligibility",
        roles=frozenset({"linkage.operator"}),
    )
    assert resolved.binding.deceased
    assert resolved.number == number
    with pytest.raises(ResolutionNotPermitted):
        await vault.resolve_number(
            repo,
            sealer,
            POLICY,
            addressee_number="A1",
            affair="nhi-eligibility",
            roles=frozenset({"collection.clerk"}),
        )


async def test_a_clerk_registers_only_for_the_affairs_it_acts_for(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    repo, jlis = InMemoryVault(), JlisSimulator()
    for affair, roles in (
        ("nhi-benefits", {"eligibility.clerk"}),
        ("delinquency", {"linkage.operator"}),
    ):
        with pytest.raises(ResolutionNotPermitted):
            await vault.register_number(
                repo,
                sealer,
                jlis,
                POLICY,
                addressee_number="A1",
                number=numbers(),
                affair=affair,
                roles=frozenset(roles),
                at=AT,
            )
    assert repo.bindings == {}
    assert jlis.calls == 0


async def test_a_refused_binding_asks_jlis_nothing(
    sealer: EnvelopeSealer, numbers: Numbers
) -> None:
    repo, jlis = InMemoryVault(), JlisSimulator()
    await register(repo, sealer, jlis, "A1", numbers())
    with pytest.raises(SecondNumberForPerson):
        await register(repo, sealer, jlis, "A1", numbers())
    assert jlis.calls == 1
