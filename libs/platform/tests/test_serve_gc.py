"""``serve`` freezes what start-up made out of the cyclic garbage collector before it serves:
the collector's full passes over a service's long-lived objects (modules, models, routes) had
paused every request in flight (issue 15)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from kokuho.platform import commands
from kokuho.platform.commands import ServiceDefinition, main
from kokuho.platform.settings import ServiceSettings


def test_serve_freezes_the_objects_of_start_up_before_it_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def run(app: FastAPI, **options: Any) -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["app"] = app

    async def no_refusal(*_: Any) -> None:
        return None

    monkeypatch.delenv("KOKUHO_PG_ADMIN_DSN", raising=False)
    monkeypatch.setattr(commands.uvicorn, "run", run)
    monkeypatch.setattr(commands, "superuser_login_refusal", no_refusal)
    built = FastAPI()
    definition = ServiceDefinition(
        settings=lambda: ServiceSettings(
            service_name="frozen",
            database_dsn="postgresql://x@127.0.0.1/x",
            kafka_username="frozen",
            kafka_password=SecretStr("not used: nothing connects"),
        ),
        build_app=lambda _: built,
        migrations=Path("migrations"),
    )
    gc.unfreeze()
    try:
        assert main(definition, ["serve"]) == 0
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
    assert seen["app"] is built
    assert seen["frozen"] > 0
