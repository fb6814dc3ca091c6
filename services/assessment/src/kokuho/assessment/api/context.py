"""What the routes need, put on ``app.state.assessment`` by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from kokuho.assessment.app.assessing import ParametersFor

SOURCE = "/kokuho/assessment"


@dataclass(frozen=True)
class Service:
    pool: Callable[[], asyncpg.Pool]
    parameters_for: ParametersFor
    today: Callable[[], date]


def _service(request: Request) -> Service:
    service = request.app.state.assessment
    assert isinstance(service, Service)
    return service


ServiceDep = Annotated[Service, Depends(_service)]
