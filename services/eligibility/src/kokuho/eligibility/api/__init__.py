"""HTTP API: one router per resource (``routers``), the ``Annotated`` dependencies
(``deps.py``) and the request/response schemas (``schemas.py``)."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from kokuho.eligibility.api import (
        certificate_runs,
        certificates,
        changes,
        federation,
        households,
        jobs,
        members,
        persons,
        reports,
        resident_register,
    )
    from kokuho.eligibility.api.deps import AUDITOR, SUPERVISOR
    from kokuho.platform import feed_routes
    from kokuho.platform.erasure_routes import erasure_records_router

    return [
        households.router,
        members.router,
        changes.router,
        persons.router,
        # C-96: what the retention job and confirmed erasure requests erased
        erasure_records_router(AUDITOR, SUPERVISOR, tag="eligibility"),
        certificates.router,
        federation.router,
        jobs.router,
        resident_register.router,
        certificate_runs.router,
        reports.router,
        feed_routes.router,  # the auditor's list of the department-feed deliveries (ADR 0089)
    ]
