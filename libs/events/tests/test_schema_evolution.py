"""Schema evolution: published contracts change only compatibly within a version."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from kokuho.events.catalog.evolution import (
    SCHEMAS_DIR,
    UPDATE_COMMAND,
    IncompatibleChange,
    committed_schemas,
    current_schemas,
    differences,
    write_schemas,
)


def test_the_committed_schemas_match_the_contracts() -> None:
    """Fails on any difference: an incompatible one needs a new contract version; a compatible
    one (an optional field added, a description changed) needs the committed files refreshed."""
    found = differences(committed_schemas())
    breaking = [str(d) for d in found if d.breaking]
    assert not breaking, (
        "published contracts changed incompatibly without a new version (publish a .v<N+1> "
        "class beside the old one instead):\n" + "\n".join(breaking)
    )
    assert not found, (
        f"contract schemas changed compatibly; refresh {SCHEMAS_DIR} with `{UPDATE_COMMAND}` "
        "and commit them:\n" + "\n".join(str(d) for d in found)
    )


def test_every_contract_has_a_committed_schema_file_per_topic() -> None:
    names = set(committed_schemas())
    assert "kokuho.eligibility.personal-details/personal_details_recorded.v1.json" in names
    assert "kokuho.linkage-gateway.events/replica_registered.v1.json" in names
    assert names == set(current_schemas())


# --- the check itself, on models made for the test ---------------------------------------


class Member(BaseModel):
    addressee_number: str = Field(pattern=r"^[0-9]{10}$")
    share: int = Field(ge=0)


class V1(BaseModel):
    household: str = Field(pattern=r"^[0-9]{10}$")
    amount: int
    kind: Literal["a", "b"]
    members: list[Member]
    note: str | None = None


def _diff(old: type[BaseModel], new: type[BaseModel]) -> list[str]:
    found = differences(
        {"t/x.v1.json": old.model_json_schema()}, {"t/x.v1.json": new.model_json_schema()}
    )
    return [str(d) for d in found]


def test_the_same_schema_has_no_difference() -> None:
    assert _diff(V1, V1) == []


def test_a_removed_field_is_incompatible() -> None:
    class Removed(BaseModel):
        household: str = Field(pattern=r"^[0-9]{10}$")
        kind: Literal["a", "b"]
        members: list[Member]
        note: str | None = None

    assert _diff(V1, Removed) == ["t/x.v1.json: INCOMPATIBLE: field amount was removed"]


def test_a_removed_field_of_a_published_contract_is_caught() -> None:
    """On a real committed schema: drop one field from the current contract's schema."""
    committed = committed_schemas()
    name = "kokuho.eligibility.personal-details/personal_details_recorded.v1.json"
    current = copy.deepcopy(committed)
    del current[name]["properties"]["address"]
    current[name]["required"].remove("address")
    found = [str(d) for d in differences(committed, current)]
    assert found == [f"{name}: INCOMPATIBLE: field address was removed"]


def test_a_nested_removed_field_and_a_type_change_are_incompatible() -> None:
    class OtherMember(BaseModel):
        addressee_number: int

    class Changed(BaseModel):
        household: str = Field(pattern=r"^[0-9]{10}$")
        amount: str
        kind: Literal["a", "b"]
        members: list[OtherMember]
        note: str | None = None

    found = _diff(V1, Changed)
    assert any("amount changed type" in d for d in found), found
    assert any("members.[].share was removed" in d for d in found), found
    assert any("members.[].addressee_number changed type" in d for d in found), found
    assert all("INCOMPATIBLE" in d for d in found)


def test_a_new_required_field_and_a_changed_enum_are_incompatible() -> None:
    class Required(BaseModel):
        household: str = Field(pattern=r"^[0-9]{10}$")
        amount: int
        kind: Literal["a", "b", "c"]
        members: list[Member]
        note: str | None = None
        reason: str

    found = _diff(V1, Required)
    assert "t/x.v1.json: INCOMPATIBLE: new required field reason" in found
    assert any("kind changed type or constraints" in d for d in found), found


def test_an_optional_field_added_is_compatible() -> None:
    class Added(BaseModel):
        household: str = Field(pattern=r"^[0-9]{10}$", description="国保世帯番号")
        amount: int
        kind: Literal["a", "b"]
        members: list[Member]
        note: str | None = None
        remark: str | None = None

    assert _diff(V1, Added) == ["t/x.v1.json: compatible: optional fields or descriptions changed"]


def test_a_removed_contract_is_incompatible_and_a_new_one_is_not() -> None:
    schema = V1.model_json_schema()
    found = differences({"t/x.v1.json": schema}, {"t/x.v2.json": schema})
    assert [str(d) for d in found] == [
        "t/x.v1.json: INCOMPATIBLE: the published contract was removed",
        "t/x.v2.json: compatible: a new contract, not yet committed",
    ]


def test_the_update_command_refuses_an_incompatible_change_and_writes_nothing(
    tmp_path: Path,
) -> None:
    assert write_schemas(tmp_path)  # a fresh directory: every schema written
    name = "kokuho.linkage-gateway.events/replica_registered.v1.json"
    path = tmp_path / name
    published: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    # as if the contract had lost a field since it was published
    published["properties"]["registered_by"] = {"type": "string"}
    published["required"].append("registered_by")
    path.write_text(json.dumps(published), encoding="utf-8")
    other = tmp_path / "kokuho.eligibility.events"
    before = {p.name: p.read_bytes() for p in other.iterdir()}
    with pytest.raises(IncompatibleChange, match="field registered_by was removed"):
        write_schemas(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == published
    assert {p.name: p.read_bytes() for p in other.iterdir()} == before
    assert write_schemas(tmp_path / "again")
    assert not write_schemas(tmp_path / "again")
