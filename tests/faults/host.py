"""The chain's processes that `serve` does not run alone: ``python -m tests.faults.host ROLE``.

``serve`` runs a service's API, its outbox relay and its consumers in one process (Eventing,
libs/platform). To hit the relay and a consumer with signals of their own, the suite runs them
in processes of their own, built from the same pieces as ``serve``:

- ``eligibility-api``: eligibility's app (``bootstrap.build``) with ``relay=False``, uvicorn as
  ``serve`` runs it;
- ``eligibility-relay``: eligibility's Eventing with the relay and no API (the standby pattern
  of the relay's advisory lock makes a second relay process a supported shape);
- ``assessment-consumer``: assessment's app with its consumers and ``relay=False`` (a second
  assessment replica; assessment's own ``serve`` runs with consume_eligibility off).

Settings come from the environment as for ``serve``; SIGTERM stops each gracefully.
"""

from __future__ import annotations

import asyncio
import signal
import sys

import uvicorn


def serve_app(role: str) -> None:
    if role == "eligibility-api":
        from kokuho.eligibility.bootstrap import build as build_eligibility
        from kokuho.eligibility.config import Settings as EligibilitySettings

        settings = EligibilitySettings()
        app = build_eligibility(settings, relay=False)
    else:
        from kokuho.assessment.bootstrap import build as build_assessment
        from kokuho.assessment.config import Settings as AssessmentSettings

        settings = AssessmentSettings()  # type: ignore[assignment]
        app = build_assessment(settings, relay=False)
    uvicorn.run(
        app, host=settings.http_host, port=settings.http_port, log_config=None, access_log=False
    )


async def relay_only() -> None:
    from kokuho.eligibility.config import Settings
    from kokuho.platform.eventing import Eventing

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with Eventing(Settings(), relay=True, pool_size=2):
        await stop.wait()


def main(argv: list[str]) -> int:
    role = argv[0] if argv else ""
    if role in ("eligibility-api", "assessment-consumer"):
        serve_app(role)
        return 0
    if role == "eligibility-relay":
        asyncio.run(relay_only())
        return 0
    print(
        "usage: python -m tests.faults.host eligibility-api|eligibility-relay|assessment-consumer",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
