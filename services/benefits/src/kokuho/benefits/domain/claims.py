"""The federation's monthly claims file (レセプト, NHI-B-8–20), format ``KKH-RZP`` v1::

    H,KKH-RZP,1,<file date YYYY-MM-DD>,<processing month YYYY-MM>
    D,<claim number>,<treatment month YYYY-MM>,<household 10>,<addressee 10>,<age band U|E>,
      <turning 75 0|1>,<provider 10>,<setting I|O>,<kind M|D|P>,<prescriber 10 | empty>,
      <prescriber kind M|D | empty>,<days 0-31>,<points>,<medical cost>,<self pay>
    A,<claim number>,<R|E>,<medical cost after>,<self pay after>,<reason code>
    T,<number of D and A lines>

(one ``D`` line on one physical line). ``D`` is a claim; ``A`` a re-examination (``R``, 再審査)
or error adjustment (``E``, 過誤) of a claim received in this file or an earlier one, giving
the claim's amounts after it. Validated line by line, all or nothing: any bad line refuses
the whole file with every line's number and reason (:class:`ClaimsFileRefused`). Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kokuho.benefits.domain.errors import BenefitsError
from kokuho.benefits.domain.high_cost.household_month import AgeBand, Kind, Setting

FORMAT, VERSION = "KKH-RZP", "1"
_MONTH = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")  # year 0 would be no date
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TEN = re.compile(r"^[0-9]{10}$")
_CLAIM = re.compile(r"^[0-9A-Z]{1,20}$")
_AMOUNT = re.compile(r"^[0-9]{1,10}$")
_REASON = re.compile(r"^[0-9A-Z]{1,4}$")
BANDS = {"U": AgeBand.UNDER_70, "E": AgeBand.AGED_70_74}
SETTINGS = {"I": Setting.INPATIENT, "O": Setting.OUTPATIENT}
KINDS = {"M": Kind.MEDICAL, "D": Kind.DENTAL, "P": Kind.PHARMACY}
ADJUSTMENTS = {"R": "reexamination", "E": "error"}
D_FIELDS, A_FIELDS = 16, 6


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


class ClaimsFileRefused(BenefitsError):
    """A claims file with a bad line: nothing of it is applied."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"content: {len(errors)} line(s) refused, nothing applied")
        self.errors = errors


@dataclass(frozen=True)
class Claim:
    line: int
    claim_number: str
    treatment_month: date
    nhi_household_number: str
    addressee_number: str
    age_band: AgeBand
    turning_75: bool
    provider: str
    setting: Setting
    kind: Kind
    prescriber: str | None
    prescriber_kind: Kind | None
    treatment_days: int
    points: int
    medical_cost: int
    self_pay: int


@dataclass(frozen=True)
class Adjustment:
    line: int
    claim_number: str
    kind: str  # reexamination | error
    medical_cost: int
    self_pay: int
    reason_code: str


@dataclass(frozen=True)
class ClaimsFile:
    file_date: date
    processing_month: date
    claims: tuple[Claim, ...]
    adjustments: tuple[Adjustment, ...]


def month_of(text: str) -> date | None:
    m = _MONTH.match(text)
    return date(int(m.group(1)), int(m.group(2)), 1) if m else None


def _date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _claim(f: list[str], number: int, processing: date | None) -> tuple[Claim | None, list[str]]:
    (_, claim_no, month, household, addressee, band, t75, provider, setting, kind) = f[:10]
    prescriber, prescriber_kind, days, points, cost, self_pay = f[10:]
    treatment = month_of(month)
    checks = [
        (_CLAIM.match(claim_no), "claim_number must be 1-20 digits or capitals"),
        (treatment is not None, "treatment_month is not YYYY-MM"),
        (_TEN.match(household), "nhi_household_number must be 10 digits"),
        (_TEN.match(addressee), "addressee_number must be 10 digits"),
        (band in BANDS, "age_band must be U (under 70) or E (70-74)"),
        (t75 in ("0", "1"), "turning_75 must be 0 or 1"),
        (_TEN.match(provider), "provider must be a 10-digit medical institution code"),
        (setting in SETTINGS, "setting must be I (inpatient) or O (outpatient)"),
        (kind in KINDS, "kind must be M (medical), D (dental) or P (pharmacy)"),
        (days.isdigit() and int(days) <= 31, "treatment_days must be 0 to 31"),
        (_AMOUNT.match(points), "points must be a whole number"),
        (_AMOUNT.match(cost), "medical_cost must be whole yen"),
        (_AMOUNT.match(self_pay), "self_pay must be whole yen"),
    ]
    reasons = [reason for ok, reason in checks if not ok]
    if kind == "P":
        if not _TEN.match(prescriber) or prescriber_kind not in ("M", "D"):
            reasons.append("a pharmacy claim names its prescriber (10 digits) and kind M or D")
        if setting != "O":
            reasons.append("a pharmacy claim is outpatient (O)")
    elif prescriber or prescriber_kind:
        reasons.append("prescriber is given for pharmacy claims only")
    if not reasons:
        if int(self_pay) > int(cost):
            reasons.append("self_pay is above medical_cost")
        if int(cost) != int(points) * 10:
            reasons.append("medical_cost is not points x 10 yen")
        if processing is not None and treatment is not None and treatment > processing:
            reasons.append("treatment_month is after the processing month")
    if reasons:
        return None, reasons
    assert treatment is not None
    return Claim(
        number,
        claim_no,
        treatment,
        household,
        addressee,
        BANDS[band],
        t75 == "1",
        provider,
        SETTINGS[setting],
        KINDS[kind],
        prescriber or None,
        KINDS[prescriber_kind] if prescriber_kind else None,
        int(days),
        int(points),
        int(cost),
        int(self_pay),
    ), []


def _adjustment(f: list[str], number: int) -> tuple[Adjustment | None, list[str]]:
    _, claim_no, kind, cost, self_pay, reason = f
    checks = [
        (_CLAIM.match(claim_no), "claim_number must be 1-20 digits or capitals"),
        (kind in ADJUSTMENTS, "adjustment kind must be R (再審査) or E (過誤)"),
        (_AMOUNT.match(cost), "medical_cost must be whole yen"),
        (_AMOUNT.match(self_pay), "self_pay must be whole yen"),
        (_REASON.match(reason), "reason_code must be 1-4 digits or capitals"),
    ]
    reasons = [r for ok, r in checks if not ok]
    if not reasons and int(self_pay) > int(cost):
        reasons.append("self_pay is above medical_cost")
    if reasons:
        return None, reasons
    return Adjustment(number, claim_no, ADJUSTMENTS[kind], int(cost), int(self_pay), reason), []


class _Reader:
    def __init__(self) -> None:
        self.errors: list[LineError] = []
        self.claims: list[Claim] = []
        self.adjustments: list[Adjustment] = []
        self.seen: dict[str, int] = {}
        self.file_date: date | None = None
        self.processing: date | None = None
        self.trailer: tuple[int, str] | None = None

    def error(self, line: int, reason: str) -> None:
        self.errors.append(LineError(line, reason))

    def header(self, f: list[str]) -> None:
        if len(f) != 5 or f[0] != "H":
            self.error(1, "the first line must be the header H,KKH-RZP,1,date,month")
            return
        if f[1] != FORMAT or f[2] != VERSION:
            self.error(1, f"unknown format {f[1]!r} version {f[2]!r}")
        self.file_date = _date(f[3])
        self.processing = month_of(f[4])
        if self.file_date is None:
            self.error(1, "the file date is not YYYY-MM-DD")
        if self.processing is None:
            self.error(1, "the processing month is not YYYY-MM")

    def detail(self, f: list[str], number: int) -> None:
        if self.trailer is not None:
            self.error(number, "a line after the trailer")
            return
        if f[0] == "D":
            if len(f) != D_FIELDS:
                self.error(number, f"a D line has {D_FIELDS} fields, not {len(f)}")
                return
            claim, reasons = _claim(f, number, self.processing)
            if claim is not None and claim.claim_number in self.seen:
                reasons = [f"the claim number repeats line {self.seen[claim.claim_number]}"]
            if claim is not None and not reasons:
                self.seen[claim.claim_number] = number
                self.claims.append(claim)
        elif f[0] == "A":
            if len(f) != A_FIELDS:
                self.error(number, f"an A line has {A_FIELDS} fields, not {len(f)}")
                return
            adjustment, reasons = _adjustment(f, number)
            if adjustment is not None:
                self.adjustments.append(adjustment)
        elif f[0] == "T":
            self.trailer = (number, f[1] if len(f) == 2 else "")
            return
        else:
            reasons = [f"unknown record type {f[0][:3]!r} (H, D, A or T)"]
        for reason in reasons:
            self.error(number, reason)

    def finish(self, details: int, last: int) -> None:
        if self.trailer is None:
            self.error(last, "the trailer T,<count> is missing")
            return
        line, count = self.trailer
        if not count.isdigit() or int(count) != details:
            self.error(line, f"the trailer counts {count!r}, the file has {details} D/A lines")


def read_claims_file(text: str) -> tuple[ClaimsFile, list[LineError]]:
    """Every line validated: the file's valid lines, and the errors of the others (with an
    error the dates of a bad header are ``date.min``; such a file is never applied)."""
    lines = text.removeprefix("\ufeff").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    reader = _Reader()
    if not lines:
        reader.error(1, "the file is empty")
    else:
        reader.header(lines[0].split(","))
        details = 0
        for number, raw in enumerate(lines[1:], start=2):
            fields = raw.split(",")
            if fields[0] in ("D", "A"):
                details += 1
            reader.detail(fields, number)
        reader.finish(details, len(lines))
    file = ClaimsFile(
        reader.file_date or date.min,
        reader.processing or date.min,
        tuple(reader.claims),
        tuple(reader.adjustments),
    )
    return file, reader.errors


def parse_claims_file(text: str) -> ClaimsFile:
    """The file, or :class:`ClaimsFileRefused` with every bad line if any is wrong. ``A``
    lines are checked against the stored claims by :func:`unknown_claims`."""
    file, errors = read_claims_file(text)
    if errors:
        raise ClaimsFileRefused(sorted(errors, key=lambda e: e.line))
    return file


def unknown_claims(file: ClaimsFile, stored: set[str]) -> list[LineError]:
    """The checks that need the stored claims: a ``D`` claim number already received, an
    ``A`` line against a claim neither in this file nor received before."""
    errors = [
        LineError(c.line, f"claim {c.claim_number} was received in an earlier file")
        for c in file.claims
        if c.claim_number in stored
    ]
    here = {c.claim_number for c in file.claims}
    return errors + [
        LineError(a.line, f"claim {a.claim_number} is not known: nothing to adjust")
        for a in file.adjustments
        if a.claim_number not in here and a.claim_number not in stored
    ]


def refuse_unknown(file: ClaimsFile, stored: set[str]) -> None:
    errors = unknown_claims(file, stored)
    if errors:
        raise ClaimsFileRefused(sorted(errors, key=lambda e: e.line))
