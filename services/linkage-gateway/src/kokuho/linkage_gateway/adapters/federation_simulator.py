"""Stand-in for the federation's file exchange (国保総合PC): keeps every file it receives and,
when given a directory, drops it there as the real terminal's transfer folder would."""

from __future__ import annotations

import hashlib
from pathlib import Path


class FederationSimulator:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.received: dict[str, bytes] = {}

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
