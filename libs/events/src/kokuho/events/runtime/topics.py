"""Topic administration: creation with configured partitions, replication and cleanup policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from kokuho.events.runtime.connection import KafkaConnection


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 3
    replication_factor: int = 1
    compacted: bool = False  # latest state per key (personal details); tombstones erase
    min_insync_replicas: int | None = None

    def configs(self) -> dict[str, str]:
        configs = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if self.min_insync_replicas is not None:
            configs["min.insync.replicas"] = str(self.min_insync_replicas)
        return configs


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


def with_dead_letters(specs: Sequence[TopicSpec]) -> list[TopicSpec]:
    """The topics plus a dead-letter topic for each (never compacted: every failure is kept)."""
    out = list(specs)
    for spec in specs:
        out.append(
            TopicSpec(
                dead_letter_topic(spec.name),
                spec.partitions,
                spec.replication_factor,
                compacted=False,
                min_insync_replicas=spec.min_insync_replicas,
            )
        )
    return out


async def ensure_topics(connection: KafkaConnection, specs: Sequence[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.configs())
                for s in missing
            ]
        )
        for topic_error in response.topic_errors:
            name, code = topic_error[0], topic_error[1]
            if code == 0:
                continue
            error = for_code(code)
            if error is TopicAlreadyExistsError:
                continue  # created concurrently by another instance
            raise error(f"creating topic {name!r}")
        return [s.name for s in missing]
    finally:
        await admin.close()
