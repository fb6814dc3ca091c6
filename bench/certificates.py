"""The bulk certificate run at the city's scale: decision, PDFs and the mailing house's print file.

``python -m bench.certificates [--members 220000] [--workers 2] [--chunk 10000] [--fresh]``
``[--verapdf]``

For every member the rule of rules.md 5.4 decides 資格確認書 or 資格情報のお知らせ from a
synthetic basis (マイナ保険証 state, e-certificate expiry, DV support, application) and the
renewal's 'held already' rule (``kokuho.eligibility.domain.certificate_choice``, the service's
code). The issued documents are then drawn by the service's ``draw_certificate`` into print files
of ``--chunk`` documents (PDF/A-2B, fonts embedded once per file) with the CSV mailing list of
each (``kokuho.eligibility.adapters.print_files``, the service's code), by ``--workers``
processes. Resumable like the notices: a file is renamed into place only when whole, with its
timing beside it, so a re-run renders only the missing files. Baseline, measured in the same run:
the same documents one PDF each (what ``GET /certificates/{id}/pdf`` returns).

Not in the figure: the append of each ``CertificateIssued`` to the event store and its relay to
Kafka (one transaction per member in the service); see bench/README.md."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.print_files import render_files, verapdf_lines
from kokuho.eligibility.adapters.pdf import render_certificate
from kokuho.eligibility.adapters.print_files import mailing_list, render_print_file
from kokuho.eligibility.domain.certificate_choice import (
    CertificateBasis,
    HeldDocument,
    choose_certificate,
    needs_issue,
)
from kokuho.eligibility.parameters.renewal import load_renewal

OUT = Path(__file__).resolve().parents[1] / ".local" / "bench" / "certificates"
ISSUED = date(2026, 7, 1)
NAMES = [
    "𠮷田\u3000髙﨑子",
    "葛\U000e0100西\u3000辻\U000e0102子",
    "試験\u3000太郎",
    "山田\u3000花子",
    "髙橋\u3000一郎",
    "佐藤\u3000美咲",
    "SMITH\u3000John",
    "渡邊\u3000翔太",
]
#: the share of each basis in the synthetic city (most members registered, as in 2026)
STATUSES = ["registered"] * 6 + ["not_registered", "no_card", "registration_cancelled", None]


def basis(n: int) -> CertificateBasis:
    expiry = date(2025, 1, 1) + timedelta(days=n % 900) if n % 7 == 0 else None
    return CertificateBasis(STATUSES[n % len(STATUSES)], expiry, n % 97 == 0, n % 89 == 0)


def held(n: int) -> list[HeldDocument]:
    # a third hold a 資格確認書 from the 2025 issue; some were issued one this season already
    if n % 3:
        return []
    issued = date(2026, 6, 15) if n % 31 == 0 else date(2025, 7, 20)
    return [HeldDocument("eligibility_confirmation_document", issued, date(2026, 7, 31))]


def certificate(n: int, kind: str, reason: str, valid_until: date | None) -> dict[str, Any]:
    birth = date(1950 + n % 70, n % 12 + 1, n % 28 + 1)
    elderly = ISSUED.year - birth.year >= 70
    return {
        "certificate_id": UUID(int=n),
        "kind": kind,
        "reason": reason,
        "nhi_household_number": f"5{n // 2:09d}",
        "insured_number": f"{n % 100_000_000:08d}",
        "addressee_number": f"6{n:09d}",
        "card_symbol": "広島",
        "name": NAMES[n % len(NAMES)],
        "name_kana": "シケン\u3000タロウ",
        "sex": "male" if n % 2 else "female",
        "birth_date": birth,
        "postal_code": "730-0011",
        "address": f"広島市中区基町{n % 30 + 1}番{n % 9 + 1}号",
        "householder_name": NAMES[(n // 2) % len(NAMES)],
        "issue_date": ISSUED,
        "valid_from": ISSUED,
        "valid_until": date(2027, 7, 31) if elderly else valid_until,
        "copayment_rate_tenths": (2 if n % 5 else 3) if elderly else None,
        "special_care": n % 211 == 0,
    }


def decide(total: int) -> tuple[list[tuple[int, str, str]], float]:
    """The decision for ``total`` members: (member, kind, reason) of those issued, seconds."""
    renewal = load_renewal()
    started = time.perf_counter()
    issued = []
    for n in range(total):
        choice = choose_certificate(basis(n), ISSUED, renewal.grace_months)
        if needs_issue(choice, held(n), renewal):
            issued.append((n, choice.kind, choice.reason))
    return issued, time.perf_counter() - started


def render_chunk(job: tuple[int, list[tuple[int, str, str]], str]) -> tuple[int, float, int]:
    """One print file and its mailing list; returns (file, seconds, PDF bytes)."""
    number, members, out = job
    until = load_renewal().valid_until
    started = time.perf_counter()
    certs = [
        certificate(n, kind, reason, until if kind.endswith("document") else None)
        for n, kind, reason in members
    ]
    pdf = render_print_file(f"資格確認書・資格情報のお知らせ bench {number:05d}", certs)
    csv = mailing_list(certs)
    seconds = time.perf_counter() - started
    base = Path(out) / f"certificates-{number:05d}"
    for suffix, data in ((".csv", csv), (".pdf", pdf)):
        tmp = base.with_suffix(suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, base.with_suffix(suffix))
    base.with_suffix(".json").write_text(json.dumps({"seconds": seconds, "documents": len(certs)}))
    return number, seconds, len(pdf)


def baseline(issued: list[tuple[int, str, str]], count: int) -> tuple[float, int]:
    until = load_renewal().valid_until
    started, size = time.perf_counter(), 0
    for n, kind, reason in issued[:count]:
        size += len(render_certificate(certificate(n, kind, reason, until)))
    return time.perf_counter() - started, size


def run(total: int, workers: int, chunk: int, fresh: bool, verapdf: bool) -> str:
    if fresh:
        shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    wall_started = time.perf_counter()
    issued, decide_seconds = decide(total)
    files = -(-len(issued) // chunk)
    jobs = [
        (k, issued[k * chunk : (k + 1) * chunk], str(OUT))
        for k in range(files)
        if not (OUT / f"certificates-{k:05d}.pdf").exists()
    ]
    print(
        f"certificates: {total} members decided in {decide_seconds:.1f} s, {len(issued)} to"
        f" issue in {files} print files of {chunk}, {workers} workers;"
        f" {files - len(jobs)} files already done (resumed)",
        flush=True,
    )
    render_files(render_chunk, jobs, workers)
    wall = time.perf_counter() - wall_started
    pdfs = [OUT / f"certificates-{k:05d}.pdf" for k in range(files)]
    size = sum(p.stat().st_size for p in pdfs)
    lines_out = sum(
        (OUT / f"certificates-{k:05d}.csv").read_text(encoding="utf-8").count("\n") - 1
        for k in range(files)
    )
    cpu = sum(json.loads(p.with_suffix(".json").read_text())["seconds"] for p in pdfs)
    estimate = decide_seconds + cpu / workers
    sample = min(len(issued), 20)
    base_seconds, base_size = baseline(issued, sample)
    rate = len(issued) / (cpu / workers)
    base_rate = sample / base_seconds
    out = [
        f"certificates (bulk run)      {total:>8} members: decision {decide_seconds:,.1f} s,"
        f" {len(issued)} issued into {files} print files; {wall:,.1f} s wall this run"
        f" ({len(jobs)} files rendered); all files {cpu:,.1f} s of {workers} workers ="
        f" {estimate / 60:.1f} min (decision + PDFs + print file) | goal 220,000 in < 10 min",
        f"mailing list lines           {lines_out:>8} (one per page) | print file size"
        f" {size / 1e6:,.1f} MB, {size / max(1, len(issued)):,.0f} bytes/document",
        f"baseline one PDF per document {sample:>7} documents {base_rate:,.1f} documents/s"
        f" (1 worker), {base_size / sample:,.0f} bytes/document | ratio"
        f" {rate / workers / base_rate:.1f}x per worker",
    ]
    if verapdf:
        out += verapdf_lines(pdfs)
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=220_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--fresh", action="store_true", help="discard finished print files")
    parser.add_argument("--verapdf", action="store_true", help="validate the first print file")
    args = parser.parse_args()
    print(run(args.members, args.workers, args.chunk, args.fresh, args.verapdf))


if __name__ == "__main__":
    main()
