"""``python -m kokuho.benefits what-if <file.json>``: the 高額療養費 calculator on the command line.

The file is the body of ``POST /api/v1/high-cost-calculations`` (README, "Calculator"); the
answer is printed as JSON. It reads the package's parameter files and nothing else: no database,
no Kafka, no stored data. Exit 0 with the answer; 2 with each bad field named by its JSON
pointer (``/bills/0/self_pay``) on standard error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import ValidationError

from kokuho.benefits.api.calculation_schemas import HighCostCalculationIn, HighCostCalculationOut
from kokuho.benefits.app.calculations import what_if
from kokuho.benefits.app.ports import Benefits
from kokuho.benefits.domain.errors import BenefitsError
from kokuho.benefits.parameters import load_income_lines, load_schedule
from kokuho.platform.settings import ServiceSettings


def _pointer(location: tuple[int | str, ...]) -> str:
    return "/" + "/".join(str(part) for part in location)


def run_what_if(path: str) -> tuple[int, str]:
    """(exit code, text): the answer as JSON, or the refusals one a line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        return 2, f"error: cannot read {path}: {exc.strerror}"
    try:
        body = HighCostCalculationIn.model_validate_json(text)
    except ValidationError as exc:
        lines = [f"{_pointer(e['loc'])}: {e['msg']}" for e in exc.errors()]
        return 2, "\n".join(f"error: {line}" for line in lines)
    try:
        result = what_if(Benefits(load_schedule(), load_income_lines()), body.household_month())
    except BenefitsError as exc:
        return 2, f"error: {exc}"
    answer = HighCostCalculationOut.of(result).model_dump(mode="json")
    return 0, json.dumps(answer, ensure_ascii=False, indent=2)


async def what_if_command(settings: ServiceSettings, args: list[str]) -> int:
    del settings  # the calculator needs no settings: it touches no stored data
    if len(args) != 1:
        print("usage: python -m kokuho.benefits what-if <file.json>", file=sys.stderr)
        return 2
    code, text = run_what_if(args[0])
    print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code
