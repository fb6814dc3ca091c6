"""The federation's monthly claims file (レセプト, ``KKH-RZP`` v1) as the gateway sees it: it
is benefits' format (benefits validates every line, all or nothing, and stores the claims);
the gateway checks only what it answers for before the file goes on (ADR 0084): the header
names the format and a file date, and no line carries an individual number (C-19).

    H,KKH-RZP,1,<file date YYYY-MM-DD>,<processing month YYYY-MM>
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kokuho.linkage_gateway.domain.federation.records import (
    VERSION,
    FileRejected,
    LineError,
    no_individual_number,
    parse_date,
)

CLAIMS_FORMAT = "KKH-RZP"
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ClaimsFileHeader:
    file_date: date
    month: str
    lines: int


def screen_claims_file(text: str) -> ClaimsFileHeader:
    """The header and the C-19 check of every line; ``FileRejected`` with every bad line."""
    lines = text.splitlines()
    errors: list[LineError] = []
    header = lines[0].split(",") if lines else []
    file_date: date | None = None
    month = ""
    if len(header) != 5 or header[:3] != ["H", CLAIMS_FORMAT, VERSION]:
        errors.append(
            LineError(1, f"the first line must be the header H,{CLAIMS_FORMAT},1,date,month")
        )
    else:
        file_date = parse_date(header[3], "file date", errors, 1)
        month = header[4]
        if not _MONTH.fullmatch(month):
            errors.append(LineError(1, "the processing month must be YYYY-MM"))
    for number, line in enumerate(lines, start=1):
        no_individual_number(line.split(","), number, errors)
    if errors or file_date is None:
        raise FileRejected(errors or [LineError(1, "no file date")])
    return ClaimsFileHeader(file_date, month, len(lines))
