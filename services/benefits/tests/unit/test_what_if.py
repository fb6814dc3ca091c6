"""``python -m kokuho.benefits what-if <file.json>``: the README's example answers the
published 大和市 figures; bad input names the field and exits 2; nothing but the file is read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kokuho.benefits.whatif import run_what_if

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "what-if-mixed-household.json"


def test_the_documented_example_answers_to_the_yen() -> None:
    code, text = run_what_if(str(EXAMPLE))
    assert code == 0, text
    answer = json.loads(text)
    assert answer["benefit"] == 868_570
    assert answer["household_borne"] == 111_430
    assert answer["excluded_bill_ids"] == ["B3"]
    assert sum(p["benefit"] for p in answer["persons"]) == 868_570
    assert any(s["rule"] == "floor-21000" for s in answer["steps"])


def test_bad_fields_are_named_by_pointer(tmp_path: Path) -> None:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    body["bills"][1]["self_pay"] = -1
    body["treatment_month"] = "2026-7"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    code, text = run_what_if(str(path))
    assert code == 2
    assert "/treatment_month:" in text
    assert "/bills/1/self_pay:" in text


def test_a_rule_refusal_names_the_field(tmp_path: Path) -> None:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    body["bills"][0]["person"] = "stranger"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    assert run_what_if(str(path)) == (2, "error: bills/0/person: names no member")


def test_the_command_line_runs_without_a_database(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "KOKUHO_BENEFITS_DATABASE_DSN": "postgresql://nowhere:1/x"}
    done = subprocess.run(
        [sys.executable, "-m", "kokuho.benefits", "what-if", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["benefit"] == 868_570
    missing = subprocess.run(
        [sys.executable, "-m", "kokuho.benefits", "what-if", str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
