"""What the routes need, put on ``app.state.gateway`` by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from kokuho.linkage_gateway.app.ports import (
    EApplicationPortal,
    Federation,
    IdentityService,
    IntermediateServer,
    NumberSealer,
    ResidentRecords,
    SignatureVerifier,
    TransferChannel,
)
from kokuho.linkage_gateway.domain.intermediate import PermittedInquiryList
from kokuho.linkage_gateway.domain.resolution import ResolutionPolicy
from kokuho.linkage_gateway.domain.transfers import TransferRegistry


@dataclass(frozen=True)
class Gateway:
    pool: Callable[[], asyncpg.Pool]
    sealer: NumberSealer
    identity: IdentityService
    policy: ResolutionPolicy
    clock: Callable[[], datetime]
    server: IntermediateServer
    permits: PermittedInquiryList
    federation: Federation
    portal: EApplicationPortal
    residents: ResidentRecords
    signatures: SignatureVerifier
    transfers: TransferRegistry
    channel: TransferChannel


def _gateway(request: Request) -> Gateway:
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


GatewayDep = Annotated[Gateway, Depends(_gateway)]
