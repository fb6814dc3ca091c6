"""What every federation file shares: one record per line, comma-separated fields, a header
``H`` line, ``D`` data lines and a ``T`` trailer counting them (ADR 0021).

An inbound file is read whole: every line is checked, every error is collected with its line
number and reason, and the file is refused if there is any (C-04, C-16). No line may carry an
individual number, in any field (C-19).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from kokuho.linkage_gateway.domain.individual_number import check_digit
from kokuho.platform.errors import DomainError

VERSION = "1"

TEN_DIGITS = re.compile(r"^[0-9]{10}$")
EIGHT_DIGITS = re.compile(r"^[0-9]{8}$")
_FIELD = re.compile(r"^[^,\r\n]*$")
_TWELVE_DIGITS = re.compile(r"^[0-9]{12}$")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: C-19: the federation's files carry no individual numbers; one that does is an error (and an
#: alert for the operators), whichever field it is in.
INDIVIDUAL_NUMBER_IN_FILE = "an individual number is not allowed in a federation file (C-19)"

Header = TypeVar("Header")
#: Checks one ``D`` line's fields (line number given), appending to the file's errors.
DataReader = Callable[[list[str], int], None]


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


class FileRejected(Exception):
    """The file breaks the format; nothing of it was applied."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        first = errors[0]
        super().__init__(
            f"the file was rejected: {len(errors)} line(s) break the format; first: line "
            f"{first.line}: {first.reason}"
        )
        self.errors = list(errors)


class FieldNotRepresentable(DomainError):
    slug = "field-not-representable"

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} contains a comma or a line break and cannot be sent")
        self.field = field


def clean(name: str, value: str) -> str:
    """``value`` as an outbound field, refused if it holds a comma or a line break."""
    if not _FIELD.match(value):
        raise FieldNotRepresentable(name)
    return value


def refuse_out_of_cycle(file_date: date, today: date) -> None:
    """C-16 (the cycle): a file dated after today is not a file of this cycle."""
    if file_date > today:
        raise FileRejected(
            [LineError(1, f"the file date {file_date} is after today: not of this cycle (C-16)")]
        )


def no_individual_number(fields: Sequence[str], line: int, errors: list[LineError]) -> None:
    """C-19. Name the field by its position only: the value is never repeated in an error."""
    for position, value in enumerate(fields, start=1):
        value = value.strip()
        if _TWELVE_DIGITS.match(value) and check_digit(value[:11]) == int(value[11]):
            errors.append(LineError(line, f"{INDIVIDUAL_NUMBER_IN_FILE}: field {position}"))


def parse_date(text: str, what: str, errors: list[LineError], line: int) -> date | None:
    """A ``YYYY-MM-DD`` field, or ``None`` with an error naming ``what``."""
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors.append(LineError(line, f"{what} is not a date (YYYY-MM-DD)"))
        return None


def _fields(raw: str) -> list[str]:
    return raw.rstrip("\r").split(",")


class LineReader(Generic[Header]):
    """An inbound file read one line at a time (a streamed upload or a fetched file reads the
    same as a whole text): line 1 goes to ``header``, ``D`` lines to the format's reader, one
    ``T`` line ends the file and must count the ``D`` lines before it. ``finish`` raises
    :class:`FileRejected` with every error, if any (all or nothing)."""

    def __init__(
        self,
        header: Callable[[list[str], list[LineError]], Header],
        data: DataReader,
        errors: list[LineError],
    ) -> None:
        self.errors = errors
        self._header = header
        self._found: Header | None = None
        self.lines = 0
        self.trailer: int | None = None
        self.readers: dict[str, DataReader] = {"D": data, "T": self._trailer}

    def _trailer(self, fields: list[str], number: int) -> None:
        if len(fields) != 2 or not fields[1].isdigit():
            self.errors.append(LineError(number, "the trailer must be T,<count>"))
            self.trailer = -1
            return
        self.trailer = int(fields[1])
        data_lines = number - 2
        if self.trailer != data_lines:
            self.errors.append(
                LineError(number, f"the trailer counts {self.trailer}, the file has {data_lines}")
            )

    def line(self, raw: str) -> None:
        """The next line, without its ``\\n``."""
        self.lines += 1
        number = self.lines
        fields = _fields(raw)
        no_individual_number(fields, number, self.errors)
        if number == 1:
            self._found = self._header(fields, self.errors)
            return
        if self.trailer is not None:
            self.errors.append(LineError(number, "a line after the trailer"))
            return
        reader = self.readers.get(fields[0])
        if reader is None:
            self.errors.append(LineError(number, f"unknown record type {fields[0]!r}"))
        else:
            reader(fields, number)

    def unreadable(self, reason: str) -> None:
        """The next line could not be decoded (it counts as a line, with ``reason``)."""
        self.lines += 1
        self.errors.append(LineError(self.lines, reason))

    def finish(self) -> Header:
        if self.lines == 0:
            raise FileRejected([LineError(1, "the file is empty")])
        if self.trailer is None:
            self.errors.append(LineError(self.lines, "the trailer line T,<count> is missing"))
        if self.errors:
            raise FileRejected(self.errors)
        assert self._found is not None
        return self._found


def read_file(
    text: str,
    header: Callable[[list[str], list[LineError]], Header],
    data: DataReader,
    errors: list[LineError],
) -> Header:
    """Read a whole inbound file: ``header`` checks line 1 and returns what it carries,
    ``data`` checks each ``D`` line; raise :class:`FileRejected` with every error, if any.
    ``errors`` is the list ``data`` appends to."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    reader = LineReader(header, data, errors)
    for raw in lines:
        reader.line(raw)
    return reader.finish()


class StreamedFile(Generic[Header]):
    """Bytes as they arrive (chunks of any size) cut into lines for a :class:`LineReader`; a
    line that is not UTF-8 is an error with its number. Also the file's sha256 and size."""

    def __init__(self, reader: LineReader[Header]) -> None:
        self.reader = reader
        self._rest = b""
        self._digest = hashlib.sha256()
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        self._digest.update(chunk)
        self.size += len(chunk)
        *complete, self._rest = (self._rest + chunk).split(b"\n")
        for raw in complete:
            self._line(raw)

    def _line(self, raw: bytes) -> None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.reader.unreadable("the line is not UTF-8 text")
            return
        self.reader.line(text)

    def finish(self) -> Header:
        if self._rest:
            self._line(self._rest)
            self._rest = b""
        return self.reader.finish()

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()
