"""``UnitOfWork``: one connection and one transaction that a use case enters itself.

A service subclasses it once and adds its repositories in ``bind``::

    class AssessmentUnit(UnitOfWork):
        def bind(self, conn: asyncpg.Connection) -> None:
            self.events = PostgresEventStore(conn, source=SOURCE)
            self.assessments = PostgresAssessmentStore(conn)

and a use case in ``app/`` is a function taking the unit and a command::

    async def declare_no_income(uow: AssessmentUnitPort, command: ...) -> ...:
        async with uow:
            ...load, decide, append...
            await uow.audit.record(subjects=[...], detail={...})

Opened on the service's pool (a consumer, a job, a command) it acquires a connection and
begins a transaction, committed when the block ends normally and rolled back otherwise. Opened
by the platform's write context (``kokuho.platform.calls``) it joins the request's transaction,
so the Idempotency-Key, the effects and the audit record commit together or not at all.
``uow.audit`` writes to the audit log inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Protocol, Self

import asyncpg

from kokuho.platform.audit import AuditEntry, AuditRecord, Outcome, RequestAudit


class AuditTrailPort(Protocol):
    """What a use case records its touch of personal data with (C-45)."""

    async def record(
        self,
        *,
        subjects: Sequence[str],
        detail: dict[str, Any] | None = None,
        status_code: int | None = None,
        outcome: Outcome = Outcome.ALLOWED,
        operation: str | None = None,
    ) -> object: ...


class BoundAudit:
    """A request's (or a job's) audit trail writing inside one connection's transaction."""

    def __init__(self, trail: RequestAudit, conn: asyncpg.Connection | None) -> None:
        self.trail = trail
        self.conn = conn
        self.records = 0

    async def record(
        self,
        *,
        subjects: Sequence[str],
        detail: dict[str, Any] | None = None,
        status_code: int | None = None,
        outcome: Outcome = Outcome.ALLOWED,
        operation: str | None = None,
    ) -> AuditRecord:
        record = await self.trail.record(
            operation,
            subjects=subjects,
            detail=detail,
            status_code=status_code,
            outcome=outcome,
            conn=self.conn,
        )
        self.records += 1
        return record


class DeferredAudit:
    """A read's audit trail when the read runs without a transaction (``Call.run(...,
    audit_only=True)``, ADR 0110): the records are kept and ``write`` appends them once the
    use case has returned and its response is made, so a read that fails writes none of them,
    as the rolled-back transaction did."""

    def __init__(self, trail: RequestAudit) -> None:
        self.trail = trail
        self.entries: list[AuditEntry] = []

    @property
    def records(self) -> int:
        return len(self.entries)

    async def record(
        self,
        *,
        subjects: Sequence[str],
        detail: dict[str, Any] | None = None,
        status_code: int | None = None,
        outcome: Outcome = Outcome.ALLOWED,
        operation: str | None = None,
    ) -> None:
        self.entries.append(
            self.trail.entry(
                operation,
                subjects=tuple(subjects),
                detail=dict(detail) if detail is not None else None,
                status_code=status_code,
                outcome=outcome,
            )
        )

    async def write(self) -> None:
        """Append the kept records on their own, all or none (in one statement, together with
        other requests' records: ADR 0117)."""
        await self.trail.record_all(self.entries)


class NoAuditTrail:
    """For units opened where nothing personal is touched (projections of public events).
    Recording through it is a programming error: the caller must give a trail."""

    async def record(self, **_: Any) -> AuditRecord:
        raise RuntimeError("this unit of work was opened without an audit trail")


class UnitOfWorkPort(Protocol):
    """What every service's unit-of-work Protocol (its ``app/ports.py``) shares: entered by the
    use case itself, with the audit trail of the request or job that opened it. A service's
    port extends it with its repositories::

        class AssessmentUnitPort(UnitOfWorkPort, Protocol):
            @property
            def assessments(self) -> Assessments: ...
    """

    @property
    def audit(self) -> AuditTrailPort: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


PoolSource = Callable[[], asyncpg.Pool]


class UnitOfWork:
    """Base of a service's PostgreSQL unit of work (see the module docstring)."""

    def __init__(
        self,
        pool: PoolSource | None = None,
        *,
        conn: asyncpg.Connection | None = None,
        audit: RequestAudit | None = None,
    ) -> None:
        if (pool is None) == (conn is None):
            raise TypeError("a unit of work needs either a pool or a connection")
        self._pool = pool
        self._given = conn
        self._trail = audit
        self._conn: asyncpg.Connection | None = None
        self._acquired: Any = None
        self._transaction: Any = None
        self._depth = 0
        self._transactional = True
        self.audit: AuditTrailPort = NoAuditTrail()

    @property
    def conn(self) -> asyncpg.Connection:
        if self._conn is None:
            raise RuntimeError("enter the unit of work first (async with uow:)")
        return self._conn

    def without_transaction(self) -> Self:
        """For ``Call.run(..., audit_only=True)`` only (ADR 0110): the given connection's
        statements are not wrapped in a transaction (each commits on its own) and the request's
        audit records are kept (``DeferredAudit``) for the caller to write after the use case."""
        if self._given is None or self._trail is None:
            raise TypeError("only a request's unit on a given connection runs untransacted")
        self._transactional = False
        self.audit = DeferredAudit(self._trail)
        return self

    def bind(self, conn: asyncpg.Connection) -> None:
        """Create the repositories on ``conn`` (subclasses)."""

    def unbind(self) -> None:
        """Drop what the repositories keep (subclasses): called once the outermost use case's
        transaction has ended, so nothing they loaded outlives it."""

    async def __aenter__(self) -> Self:
        self._depth += 1
        if self._depth > 1:
            return self  # a use case calling another: one transaction
        if self._given is not None:
            conn = self._given
            if self._transactional and not conn.is_in_transaction():
                self._transaction = conn.transaction()
                await self._transaction.start()
        else:
            assert self._pool is not None
            self._acquired = self._pool().acquire()
            conn = await self._acquired.__aenter__()
            self._transaction = conn.transaction()
            await self._transaction.start()
        self._conn = conn
        if self._trail is not None and self._transactional:
            self.audit = BoundAudit(self._trail, conn)
        self.bind(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        try:
            if self._transaction is not None:
                if exc is None:
                    await self._transaction.commit()
                else:
                    await self._transaction.rollback()
        finally:
            self._transaction = None
            if self._acquired is not None:
                acquired, self._acquired = self._acquired, None
                await acquired.__aexit__(exc_type, exc, tb)
            self._conn = None
            self.unbind()


class RecordingAudit:
    """The audit trail of a unit of work in unit tests: keeps what was recorded."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    async def record(
        self,
        *,
        subjects: Sequence[str],
        detail: dict[str, Any] | None = None,
        status_code: int | None = None,
        outcome: Outcome = Outcome.ALLOWED,
        operation: str | None = None,
    ) -> None:
        self.records.append(
            {
                "subjects": list(subjects),
                "detail": dict(detail or {}),
                "status_code": status_code,
                "outcome": outcome,
                "operation": operation,
            }
        )


class InMemoryUnitOfWork:
    """Base of a service's fake unit of work: counts commits and rollbacks; subclasses hold
    the fake repositories (which pass the same contract tests as the PostgreSQL ones)."""

    def __init__(self) -> None:
        self.audit: AuditTrailPort = RecordingAudit()
        self.commits = 0
        self.rollbacks = 0
        self._depth = 0

    async def __aenter__(self) -> Self:
        self._depth += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            if exc is None:
                self.commits += 1
            else:
                self.rollbacks += 1
