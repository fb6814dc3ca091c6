"""Print files of a bulk certificate run for the mailing house (ADR 0017): per file, one PDF/A
of many certificates (one page each, on the platform renderer, fonts embedded once per file)
and its mailing list (CSV, one line per page).

Layout of ``<dir>/<run_id>/certificates-NNNNN.csv`` (UTF-8, header line, comma separated):
``page`` (1-based page of the PDF of the same number), ``certificate_id``, ``kind``,
``title`` (the printed title), ``nhi_household_number``, ``insured_number``,
``addressee_number``, ``name``, ``postal_code``, ``address``, ``issue_date``, ``valid_until``
(empty: no expiry), ``reason`` (the rule that chose the document). The pages are in household
order, so the mailing house can put a household's documents in one envelope.

Each file is written beside its final name and renamed into place when whole: a file that
exists is complete, which is what makes the run's printing resumable."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from kokuho.eligibility.adapters.pdf import draw_certificate, title_of
from kokuho.eligibility.app.certificate_runs import PrintedFile
from kokuho.platform.documents import Sheet

COLUMNS = (
    "page",
    "certificate_id",
    "kind",
    "title",
    "nhi_household_number",
    "insured_number",
    "addressee_number",
    "name",
    "postal_code",
    "address",
    "issue_date",
    "valid_until",
    "reason",
)


def _write_whole(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def mailing_list(certificates: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for page, cert in enumerate(certificates, 1):
        writer.writerow(
            [
                page,
                cert["certificate_id"],
                cert["kind"],
                title_of(cert),
                cert["nhi_household_number"],
                cert["insured_number"],
                cert["addressee_number"],
                cert.get("name") or "",
                cert.get("postal_code") or "",
                cert.get("address") or "",
                cert["issue_date"].isoformat(),
                cert["valid_until"].isoformat() if cert.get("valid_until") else "",
                cert.get("reason") or "",
            ]
        )
    return out.getvalue().encode("utf-8")


def render_print_file(title: str, certificates: Sequence[dict[str, Any]]) -> bytes:
    sheet = Sheet(title)
    for cert in certificates:
        draw_certificate(sheet, cert)
    return sheet.output()


class PrintFiles:
    """``PrintPort`` on a directory (``KOKUHO_ELIGIBILITY_PRINT_DIR``): personal data, kept
    where the office keeps its print jobs, never under the code."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _base(self, run_id: UUID, number: int) -> Path:
        return self.directory / str(run_id) / f"certificates-{number:05d}"

    def done(self, run_id: UUID, number: int) -> bool:
        base = self._base(run_id, number)
        return base.with_suffix(".pdf").exists() and base.with_suffix(".csv").exists()

    def write(
        self, run_id: UUID, number: int, certificates: Sequence[dict[str, Any]]
    ) -> PrintedFile:
        base = self._base(run_id, number)
        base.parent.mkdir(parents=True, exist_ok=True)
        pdf = render_print_file(
            f"資格確認書・資格情報のお知らせ {run_id} {number:05d}", certificates
        )
        _write_whole(base.with_suffix(".pdf"), pdf)
        _write_whole(base.with_suffix(".csv"), mailing_list(certificates))
        return PrintedFile(base.name, len(certificates), len(pdf))
