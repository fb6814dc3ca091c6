"""Claims files (KKH-RZP) for tests: synthetic numbers only (households 99200..., people
99100..., providers 13100...)."""

from __future__ import annotations

HEADER = "H,KKH-RZP,1,2026-08-20,2026-08"


def d_line(
    claim: str,
    household: str,
    person: str,
    *,
    cost: int,
    self_pay: int,
    month: str = "2026-07",
    band: str = "U",
    provider: str = "1310000001",
    setting: str = "I",
    kind: str = "M",
    prescriber: str = "",
    prescriber_kind: str = "",
    turning_75: str = "0",
) -> str:
    return ",".join(
        [
            "D",
            claim,
            month,
            household,
            person,
            band,
            turning_75,
            provider,
            setting,
            kind,
            prescriber,
            prescriber_kind,
            "10",
            str(cost // 10),
            str(cost),
            str(self_pay),
        ]
    )


def a_line(claim: str, kind: str, cost: int, self_pay: int, reason: str = "01") -> str:
    return f"A,{claim},{kind},{cost},{self_pay},{reason}"


def claims_file(*lines: str, header: str = HEADER) -> str:
    details = [line for line in lines if line[:1] in ("D", "A")]
    return "\n".join([header, *lines, f"T,{len(details)}"]) + "\n"
