"""The bulk certificate bench (issue 14, `make bench`) on a small city: every document the
decision issues is in a print file and on its mailing list, and a re-run renders nothing
(resumable). The figure itself is the bench's, never asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import certificates


def test_every_issued_document_is_printed_and_a_re_run_renders_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(certificates, "OUT", tmp_path)
    issued, _ = certificates.decide(8)
    kinds = {kind for _, kind, _ in issued}
    assert kinds == {"eligibility_confirmation_document", "eligibility_information_notice"}
    assert 0 < len(issued) < 8  # some hold their document already

    first = certificates.run(8, 1, 4, fresh=True, verapdf=False)
    files = -(-len(issued) // 4)
    assert f"{len(issued)} issued into {files} print files" in first
    assert f"({files} files rendered)" in first
    pdfs = sorted(tmp_path.glob("certificates-*.pdf"))
    assert len(pdfs) == files
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    listed = sum(p.with_suffix(".csv").read_text(encoding="utf-8").count("\n") - 1 for p in pdfs)
    assert listed == len(issued)
    assert f"mailing list lines           {len(issued):>8}" in first

    again = certificates.run(8, 1, 4, fresh=False, verapdf=False)
    assert "(0 files rendered)" in again
