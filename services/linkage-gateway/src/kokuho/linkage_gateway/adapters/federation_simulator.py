"""Stand-in for the federation's file exchange (国保総合PC): keeps every file it receives and,
when given a directory, drops it there as the real terminal's transfer folder would. It also
writes the daily continuation file (KKH-SKK v1) from the insured changes it has received, as
the federation's aggregation system would from its own records.

The KKH-IDO v3 files it receives carry individual numbers (S3), as the real terminal's would:
given a directory it writes them there like the real transfer folder, so only the tests and
``make run`` without the federation process use one (``federation_outbox``), under ``.local/``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path


class FederationSimulator:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.received: dict[str, bytes] = {}
        #: the monthly claims files (KKH-RZP) the federation has for the city, by month
        self.claims_files: dict[str, bytes] = {}

    async def send(self, file_name: str, content: bytes) -> str:
        if file_name in self.received:
            # The federation keys files by name: the same file again is the same delivery.
            if self.received[file_name] != content:
                raise FileExistsError(f"{file_name} was received with other content")
            return "fed-" + hashlib.sha256(content).hexdigest()[:16]
        self.received[file_name] = content
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / file_name).write_bytes(content)
        return "fed-" + hashlib.sha256(content).hexdigest()[:16]

    async def fetch_continuation_file(self, file_date: date) -> bytes | None:
        """The day's file as the gateway's scheduled fetch receives it."""
        return self.continuation_file(file_date).encode("utf-8")

    async def fetch_claims_file(self, processing_month: str) -> bytes | None:
        """The month's claims file (KKH-RZP), as the federation's aggregation system made it
        (``claims_files``: tests and the demo put it there); None when there is none."""
        return self.claims_files.get(processing_month)

    def continuation_file(
        self, file_date: date, *, federation_acquisition_dates: Mapping[str, date] | None = None
    ) -> str:
        """KKH-SKK v1 of everyone the federation holds: per addressee the latest received
        KKH-IDO record (files in sequence order). ``federation_acquisition_dates`` stands for
        the federation's own records where they differ from what we sent."""
        latest: dict[str, list[str]] = {}
        for name in sorted(self.received):
            lines = self.received[name].decode("utf-8").splitlines()
            for line in lines:
                fields = line.split(",")
                if fields[0] == "D" and len(fields) >= 10:
                    latest[fields[2]] = fields
        overrides = federation_acquisition_dates or {}
        data = []
        for addressee, f in sorted(latest.items()):
            acquired = overrides[addressee].isoformat() if addressee in overrides else f[8]
            data.append(f"D,{addressee},{f[4]},{acquired},{f[9]}")
        return "\n".join([f"H,KKH-SKK,1,{file_date.isoformat()}", *data, f"T,{len(data)}"]) + "\n"
