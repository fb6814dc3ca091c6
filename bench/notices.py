"""The annual run's premium notices (納入通知書) as print files, on the platform's renderer.

``python -m bench.notices [--notices 150000] [--workers 2] [--chunk 1000] [--fresh] [--verapdf]``

Notices are rendered in chunks of ``--chunk`` into one PDF/A-2B print file each (fonts embedded
once per file), by ``--workers`` processes. The batch is resumable: a chunk's file is renamed
into place only when complete, with its timing beside it, so a re-run (after a stop or a crash)
renders only the chunks that are missing, and reports the time of all chunks. Baseline, measured
in the same run: the same notices one PDF per notice (what the API's notice endpoint returns).

The notices are synthetic: a pool of assessments computed by the premium engine for synthetic
households (``kokuho.assessment.synthetic`` sizes), addressed to synthetic names, some outside
the BMP or with variation sequences."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.print_files import render_files, verapdf_lines
from kokuho.assessment.adapters.notice_pdf import MailTo, draw_notice, render_notice
from kokuho.assessment.app.assessing import compute
from kokuho.assessment.app.ports import StoredAssessment
from kokuho.assessment.domain.household import Household, Income, Person
from kokuho.assessment.parameters import load_parameters
from kokuho.platform.documents import Sheet

OUT = Path(__file__).resolve().parents[1] / ".local" / "bench" / "notices"
ISSUED = date(2026, 6, 15)
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
POOL = 64  # distinct assessments, cycled (the render cost depends on the rows, not the values)


def _assessment(i: int, params: Any) -> tuple[StoredAssessment, dict[str, Any]]:
    size = (1, 1, 1, 2, 2, 3, 4)[i % 7]
    members = tuple(
        Person(f"6{i:07d}{k:02d}", date(1980 - k * 3, 5, 5), Income(salary_income=k * 900_000))
        for k in range(size)
    )
    computed = compute(Household(f"5{i:09d}", members[0].addressee_number, members), params)
    instalments = [
        {"period": n, "due_date": f"2026-{n + 5:02d}-30" if n < 8 else "2027-03-31",
         "amount": computed.annual_amount // 10, "difference": 0}
        for n in range(1, 11)
    ]  # fmt: skip
    stored = StoredAssessment(
        f"5{i:09d}", 2026, 1, UUID(int=i), computed.annual_amount, 0, 0,
        computed.components, computed.explanation, "annual_run", "U", instalments,
    )  # fmt: skip
    return stored, computed.explanation or {}


def _pool() -> list[tuple[StoredAssessment, dict[str, Any]]]:
    params = load_parameters(2026)
    return [_assessment(i, params) for i in range(POOL)]


def _notice(n: int) -> tuple[StoredAssessment, dict[str, Any], str, MailTo]:
    stored, explanation = POOL_CACHE[n % POOL]
    mail_to = MailTo(
        NAMES[n % len(NAMES)], f"広島市中区基町{n % 30 + 1}番{n % 9 + 1}号", "730-0011"
    )
    return stored, explanation, f"6{n:09d}", mail_to


POOL_CACHE: list[tuple[StoredAssessment, dict[str, Any]]] = []


def _init() -> None:
    POOL_CACHE[:] = _pool()


def render_chunk(job: tuple[int, int, int, str]) -> tuple[int, float, int]:
    """Notices [first, first + count) into print file ``chunk``; returns (chunk, s, bytes)."""
    chunk, first, count, out = job
    started = time.perf_counter()
    sheet = Sheet(f"国民健康保険料 納入通知書 {chunk:05d}")
    for n in range(first, first + count):
        stored, explanation, householder, mail_to = _notice(n)
        draw_notice(sheet, stored, explanation, householder, ISSUED, mail_to)
    pdf = sheet.output()
    seconds = time.perf_counter() - started
    path = Path(out) / f"notices-{chunk:05d}.pdf"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pdf)
    path.with_suffix(".json").write_text(json.dumps({"seconds": seconds, "notices": count}))
    os.replace(tmp, path)  # the checkpoint: a chunk exists only once complete
    return chunk, seconds, len(pdf)


def baseline(count: int) -> tuple[float, int]:
    """``count`` notices as one PDF each (the API's way): seconds and bytes."""
    started, size = time.perf_counter(), 0
    for n in range(count):
        stored, explanation, householder, mail_to = _notice(n)
        size += len(render_notice(stored, explanation, householder, ISSUED, mail_to))
    return time.perf_counter() - started, size


def run(total: int, workers: int, chunk: int, fresh: bool, verapdf: bool) -> str:
    if fresh:
        shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    jobs = [
        (k, first, min(chunk, total - first), str(OUT))
        for k, first in enumerate(range(0, total, chunk))
        if not (OUT / f"notices-{k:05d}.pdf").exists()
    ]
    done_before = -(-total // chunk) - len(jobs)
    print(f"notices: {total} in {-(-total // chunk)} print files of {chunk}, {workers} workers;"
          f" {done_before} files already done (resumed)", flush=True)  # fmt: skip
    started = time.perf_counter()
    render_files(render_chunk, jobs, workers, initializer=_init, reports=20)
    wall = time.perf_counter() - started
    files = sorted(OUT.glob("notices-*.pdf"))[: -(-total // chunk)]
    size = sum(f.stat().st_size for f in files)
    cpu = sum(json.loads(f.with_suffix(".json").read_text())["seconds"] for f in files)
    _init()
    sample = min(total, 20)  # about a second each: the font subset is made per file
    base_seconds, base_size = baseline(sample)
    rate = total / (cpu / workers)
    base_rate = sample / base_seconds
    lines = [
        f"notices (print files)        {total:>8} notices in {wall:,.1f} s this run"
        f" ({len(jobs)} files); all files {cpu:,.1f} s of {workers} workers ="
        f" {cpu / workers / 60:.1f} min wall, {rate:,.0f} notices/s | goal 150,000 in < 10 min",
        f"print file size              {size / 1e6:,.1f} MB, {size / total:,.0f} bytes/notice"
        f" | baseline one PDF per notice: {base_size / sample:,.0f} bytes/notice",
        f"baseline one PDF per notice  {sample:>8} notices {base_rate:,.1f} notices/s (1 worker)"
        f" | ratio {rate / workers / base_rate:.1f}x per worker",
    ]
    if verapdf:
        lines += verapdf_lines(files)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=150_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk", type=int, default=2500)
    parser.add_argument("--fresh", action="store_true", help="discard finished print files")
    parser.add_argument("--verapdf", action="store_true", help="validate the first print file")
    args = parser.parse_args()
    print(run(args.notices, args.workers, args.chunk, args.fresh, args.verapdf))


if __name__ == "__main__":
    main()
