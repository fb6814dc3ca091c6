"""Stand-in for the municipal intermediate server (自治体中間サーバー): holds replicas, answers
inquiries from canned provider data, and exports its replicas; it also plays the
online-qualification side (オンライン資格確認) that reports each person's マイナ保険証 state
(``card_states``, set by a test by integrated addressee number). In-process and in-memory;
the real adapter speaks the server's interface over LGWAN behind the same port."""

from __future__ import annotations

import uuid
from typing import Any

from kokuho.linkage_gateway.app.ports import InquiryAnswer, ReplicaMessage
from kokuho.linkage_gateway.domain.card_status import CardStateReport


class IntermediateServerSimulator:
    def __init__(self) -> None:
        self.replicas: dict[tuple[str, str], dict[str, Any]] = {}
        self.versions: dict[tuple[str, str], int] = {}
        self.received: list[ReplicaMessage] = []
        #: Provider data the simulator answers inquiries from: (provider, item, person) -> data.
        self.provider_data: dict[tuple[str, str, str], dict[str, Any]] = {}
        #: マイナ保険証 states the online-qualification side holds, by integrated addressee number.
        self.card_states_held: dict[str, CardStateReport] = {}
        #: Replica deletions asked for (C-97), by integrated addressee number.
        self.deleted: list[str] = []

    async def register_replica(self, message: ReplicaMessage) -> str:
        key = (message.integrated_addressee_number, message.item)
        if self.versions.get(key, 0) < message.version:
            self.replicas[key] = dict(message.content)
            self.versions[key] = message.version
        self.received.append(message)
        return f"rcpt-{uuid.uuid5(uuid.NAMESPACE_URL, f'{key}:{message.version}').hex[:16]}"

    async def inquire(
        self, *, integrated_addressee_number: str, provider: str, item: str
    ) -> InquiryAnswer:
        data = self.provider_data.get((provider, item, integrated_addressee_number))
        if data is None:
            return InquiryAnswer("no-data", None)
        return InquiryAnswer("answered", dict(data))

    async def export_replicas(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {k: dict(v) for k, v in self.replicas.items()}

    async def delete_replicas(self, integrated_addressee_number: str) -> str:
        for key in [k for k in self.replicas if k[0] == integrated_addressee_number]:
            del self.replicas[key]
            self.versions.pop(key, None)
        self.deleted.append(integrated_addressee_number)
        return f"del-{uuid.uuid5(uuid.NAMESPACE_URL, integrated_addressee_number).hex[:16]}"

    def set_card_state(self, report: CardStateReport) -> None:
        self.card_states_held[report.integrated_addressee_number] = report

    async def card_states(self) -> list[CardStateReport]:
        return list(self.card_states_held.values())
