"""Stand-ins for the e-application portal (サービス検索・電子申請機能) and the resident-record
system's certificate-serial lookup."""

from __future__ import annotations

from kokuho.linkage_gateway.app.ports import SignedApplication


class PortalSimulator:
    def __init__(self) -> None:
        self.waiting: list[SignedApplication] = []
        self.statuses: dict[str, tuple[str, str]] = {}

    def submit(self, application: SignedApplication) -> None:
        self.waiting.append(application)

    async def fetch_new(self) -> list[SignedApplication]:
        return [a for a in self.waiting if a.receipt_number not in self.statuses]

    async def update_status(self, receipt_number: str, status_code: str, reason: str) -> None:
        self.statuses[receipt_number] = (status_code, reason)


class ResidentRecordSimulator:
    def __init__(self) -> None:
        self.by_serial: dict[str, str] = {}

    async def addressee_of_certificate(self, serial: str) -> str | None:
        return self.by_serial.get(serial)
