"""What the print-file benches share (notices, certificates): the resumable worker pool that
renders one print file per job, with progress, and the veraPDF check of the first file."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kokuho.platform.documents import checks


def render_files(
    render: Callable[[Any], tuple[int, float, int]],
    jobs: Sequence[Any],
    workers: int,
    *,
    initializer: Callable[[], None] | None = None,
    reports: int = 10,
) -> None:
    """Render every job (each returns file number, seconds, bytes) by ``workers`` forked
    processes, printing about ``reports`` progress lines."""
    with multiprocessing.get_context("fork").Pool(workers, initializer=initializer) as pool:
        for i, (k, seconds, size) in enumerate(pool.imap_unordered(render, jobs), 1):
            if i % max(1, len(jobs) // reports) == 0 or i == len(jobs):
                print(f"  file {k:05d}: {seconds:.1f} s, {size / 1e6:.1f} MB ({i}/{len(jobs)})",
                      flush=True)  # fmt: skip


def verapdf_lines(files: Sequence[Path]) -> list[str]:
    """veraPDF PDF/A-2B on the first print file: its verdict, and the report when it fails."""
    ok, report = checks.verapdf(list(files[:1]))
    lines = [f"veraPDF PDF/A-2B on {files[0].name}: {'PASS' if ok else 'FAIL'}"]
    return lines if ok else [*lines, report]
