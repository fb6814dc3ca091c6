"""Who may do what on the broker: ACL rules and granting them (ADR 0086).

The rules of a service follow from its topics (``deploy/kafka_access.py`` reads them from the
code): it reads and writes the topics it owns, reads those it consumes and writes their
dead-letter topics, and uses the consumer groups under its prefix. A department reads its feeds
and uses the groups under its own prefix. Strimzi ``KafkaUser`` resources (``deploy/k8s``) and the
local broker (``deploy/local``) get the same rules from here; the local broker and the tests'
own topics are granted with ``grant`` (the Kafka CreateAcls request, as the super user).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import (
    CreateAclsRequest_v1,
    DeleteAclsRequest_v1,
    DescribeAclsRequest,
)
from aiokafka.protocol.api import Request

from kokuho.events.runtime.connection import KafkaConnection

# Kafka's wire codes (org.apache.kafka.common.acl / resource).
_OPERATIONS = {
    "All": 2,
    "Read": 3,
    "Write": 4,
    "Create": 5,
    "Delete": 6,
    "Alter": 7,
    "Describe": 8,
    "DescribeConfigs": 10,
}
_RESOURCES = {"topic": 2, "group": 3}
_PATTERNS = {"literal": 3, "prefix": 4}
_ALLOW = 3

#: A topic the principal writes and reads (its own, a feed it delivers).
OWN = ("Describe", "DescribeConfigs", "Read", "Write")
#: A topic the principal only reads.
READ = ("Describe", "Read")
#: A dead-letter topic of something it reads: it puts there what it cannot apply.
DEAD_LETTER = ("Describe", "Write")


@dataclass(frozen=True)
class AclRule:
    """One allow rule, as Strimzi's ``simple`` authorization writes it."""

    resource_type: str  # topic | group
    name: str
    pattern: str  # literal | prefix
    operations: tuple[str, ...]

    def strimzi(self) -> dict[str, Any]:
        return {
            "resource": {
                "type": self.resource_type,
                "name": self.name,
                "patternType": self.pattern,
            },
            "operations": list(self.operations),
            "host": "*",
        }


def service_rules(
    *,
    owned: Iterable[str],
    consumed: Iterable[str],
    dead_letters: Iterable[str],
    group_prefix: str,
    feeds: Iterable[str] = (),
) -> list[AclRule]:
    """A service's rules: its topics, the feeds it delivers, what it reads, its groups."""
    rules = [AclRule("topic", t, "literal", OWN) for t in owned]
    rules += [AclRule("topic", t, "literal", OWN) for t in feeds]
    rules += [AclRule("topic", t, "literal", READ) for t in consumed]
    rules += [AclRule("topic", t, "literal", DEAD_LETTER) for t in dead_letters]
    rules.append(AclRule("group", group_prefix, "prefix", READ))
    return rules


def reader_rules(*, topics: Iterable[str], group_prefix: str) -> list[AclRule]:
    """A department's rules: read its feeds, commit under its own group prefix; nothing else."""
    rules = [AclRule("topic", t, "literal", READ) for t in topics]
    rules.append(AclRule("group", group_prefix, "prefix", READ))
    return rules


def bindings(
    principal: str, rules: Iterable[AclRule]
) -> list[tuple[int, str, int, str, str, int, int]]:
    return [
        (
            _RESOURCES[r.resource_type],
            r.name,
            _PATTERNS[r.pattern],
            principal,
            "*",
            _OPERATIONS[op],
            _ALLOW,
        )
        for r in rules
        for op in r.operations
    ]


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]  # aiokafka: untyped
    API_KEY = 30

    def __init__(self, creations: Sequence[tuple[Any, ...]]) -> None:
        self._creations = list(creations)

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._creations)


class _DeleteAcls(Request[DeleteAclsRequest_v1]):  # type: ignore[misc]  # aiokafka: untyped
    API_KEY = 31

    def __init__(self, filters: Sequence[tuple[Any, ...]]) -> None:
        self._filters = list(filters)

    def build(self, request_struct_class: type[DeleteAclsRequest_v1]) -> DeleteAclsRequest_v1:
        return request_struct_class(self._filters)


def _raise_errors(results: Iterable[tuple[Any, ...]], what: str) -> None:
    for result in results:
        code, message = result[0], result[1]
        if code:
            raise for_code(code)(f"{what}: {message}")


async def grant(connection: KafkaConnection, grants: dict[str, list[AclRule]]) -> int:
    """Create the rules (``{"User:name": rules}``) on the broker; existing ones stay as they
    are. ``connection`` must be allowed to alter the cluster's ACLs (the super user)."""
    creations = [b for principal, rules in grants.items() for b in bindings(principal, rules)]
    if not creations:
        return 0
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        response = await admin._send_request(_CreateAcls(creations))
        _raise_errors(response.creation_responses, "creating ACLs")
    finally:
        await admin.close()
    return len(creations)


async def revoke(connection: KafkaConnection, grants: dict[str, list[AclRule]]) -> int:
    """Delete exactly these rules; returns how many bindings the broker removed."""
    filters = [b for principal, rules in grants.items() for b in bindings(principal, rules)]
    if not filters:
        return 0
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        response = await admin._send_request(_DeleteAcls(filters))
        _raise_errors(response.filter_responses, "deleting ACLs")
        return sum(len(r[2]) for r in response.filter_responses)
    finally:
        await admin.close()


_ANY = 1


async def granted(connection: KafkaConnection) -> set[tuple[int, str, int, str, str, int, int]]:
    """Every ACL binding on the broker, in the wire form ``grant`` sends."""
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        response = await admin._send_request(
            DescribeAclsRequest(_ANY, None, _ANY, None, None, _ANY, _ANY)
        )
    finally:
        await admin.close()
    if response.error_code:
        raise for_code(response.error_code)(f"listing ACLs: {response.error_message}")
    return {
        (rtype, name, pattern, principal, host, op, permission)
        for rtype, name, pattern, acls in response.resources
        for principal, host, op, permission in acls
    }


async def sync(
    connection: KafkaConnection,
    grants: dict[str, list[AclRule]],
    managed: Callable[[str], bool],
) -> tuple[int, int]:
    """Make the broker hold exactly ``grants`` for their principals on the resources ``managed``
    names (others, e.g. the tests' own topics, are left alone): create what is missing, delete
    what no rule gives any more. Returns (bindings sent, bindings deleted)."""
    sent = await grant(connection, grants)
    wanted = {b for principal, rules in grants.items() for b in bindings(principal, rules)}
    stale = [
        b for b in await granted(connection) if b[3] in grants and managed(b[1]) and b not in wanted
    ]
    if not stale:
        return sent, 0
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        response = await admin._send_request(_DeleteAcls(stale))
        _raise_errors(response.filter_responses, "deleting stale ACLs")
    finally:
        await admin.close()
    return sent, len(stale)
