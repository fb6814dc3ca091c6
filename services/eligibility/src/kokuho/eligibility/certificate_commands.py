"""``python -m kokuho.eligibility certificates``: the bulk certificate run at the city's scale
(the same code as ``POST /jobs/certificates``), printing its progress; run it again after a
stop and it resumes."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from kokuho.eligibility.adapters.print_files import PrintFiles
from kokuho.eligibility.app.certificate_runs import CertificateUnit, RunSummary, run_renewal
from kokuho.eligibility.app.ports import Eligibility
from kokuho.eligibility.commands import units_of
from kokuho.eligibility.config import Settings
from kokuho.eligibility.parameters import load_rules
from kokuho.eligibility.parameters.renewal import load_renewal
from kokuho.platform.settings import ServiceSettings

OPERATOR = "system:certificates-command"


def _progress(run: RunSummary) -> None:
    print(
        f"  {run.status}: {run.issued} issued, {run.kept} kept, {len(run.refused)} refused"
        f" of {run.candidates}; {len(run.print_files)} print files",
        flush=True,
    )


async def certificates_command(settings: ServiceSettings, args: list[str]) -> int:
    assert isinstance(settings, Settings)
    if settings.print_dir is None:
        print("KOKUHO_ELIGIBILITY_PRINT_DIR is not set: the run has nowhere to print")
        return 2
    renewal = load_renewal()
    async with units_of(settings) as units:
        run = await run_renewal(
            cast("Callable[[], CertificateUnit]", units),  # the service's unit has them
            Eligibility(load_rules()),
            renewal,
            OPERATOR,
            PrintFiles(settings.print_dir),
            on_progress=_progress,
        )
    print(
        f"certificates {run.renewal} run {run.run_id}{' (resumed)' if run.resumed else ''}:"
        f" {run.candidates} members, {run.issued} issued, {run.kept} kept,"
        f" {len(run.refused)} refused, {len(run.print_files)} print files"
        f" in {settings.print_dir / str(run.run_id)}"
    )
    return 0 if not run.refused else 1
