"""The write and read contexts of a route: the transaction skeleton, written once.

A write route parses, then runs one use case in the platform's write context::

    @router.post("/no-income-declarations", status_code=201)
    async def declare_no_income(
        body: NoIncomeDeclarationIn, user: Clerk, write: WriteDep
    ) -> NoIncomeDeclarationOut:
        return await write.run(
            lambda uow: income.declare_no_income(uow, body.command(user)),
            NoIncomeDeclarationOut.model_validate,
            status_code=201,
        )

``run`` acquires a connection, begins the transaction, reserves the Idempotency-Key (or
replays the stored response), builds the service's unit of work on that transaction with the
request's audit trail, calls the use case, turns its result into the response model, checks
that the use case recorded its audit, stores the response with the key, and commits: all or
nothing. ``ReadDep`` is the same without the Idempotency-Key (a read of personal data is
audited too, C-45). No route opens a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response

from kokuho.platform.audit import AuditTrail, RequestAudit, get_request_audit
from kokuho.platform.idempotency import Idempotency, IdempotencyDep
from kokuho.platform.service import ServiceKit, kit_of
from kokuho.platform.unit_of_work import BoundAudit, DeferredAudit

ResultT = TypeVar("ResultT")
OutT = TypeVar("OutT")


class AuditMissing(RuntimeError):
    """A use case touched personal data without recording it (a programming error: 500)."""


class Call:
    """One route call's context; see the module docstring."""

    def __init__(
        self,
        request: Request,
        response: Response,
        audit: RequestAudit,
        idempotency: Idempotency | None,
    ) -> None:
        self.request = request
        self.response = response
        self.audit = audit
        self.idempotency = idempotency

    async def run(
        self,
        work: Callable[[Any], Awaitable[ResultT]],
        respond: Callable[[ResultT], OutT],
        *,
        status_code: int | Callable[[ResultT], int] = 200,
        audited: bool = True,
        audit_only: bool = False,
    ) -> OutT:
        """Run ``work(uow)`` in one transaction; ``respond`` makes the response model;
        ``status_code`` may depend on the result (200 for "already so", 201 for "created").
        ``audited=False`` only for calls that touch no personal data.

        ``audit_only=True``: a read whose use case writes nothing but its audit records runs
        without a transaction (ADR 0110): its reads commit on their own and its audit records
        are appended once the response is made (a read that fails appends none), two round
        trips fewer, in one statement with other requests' records (ADR 0117). Anything else
        such a use case wrote would commit on its own: not for reads that write provision
        records or output logs."""
        kit = kit_of(self.request)
        if audit_only:
            if self.idempotency is not None or not audited:
                raise TypeError("audit_only is for audited reads (no Idempotency-Key)")
            return await self._audit_only(kit, work, respond, status_code)
        async with kit.pool().acquire() as conn, conn.transaction():
            if self.idempotency is not None:
                await self.idempotency.begin(conn)
            uow = kit.unit_of_work(conn=conn, audit=self.audit)
            result = await work(uow)
            out = respond(result)
            code = status_code(result) if callable(status_code) else status_code
            trail = uow.audit
            if audited and not (isinstance(trail, BoundAudit) and trail.records):
                raise AuditMissing(f"{self.audit.operation} recorded no audit record")
            if self.idempotency is not None:
                await self.idempotency.complete(conn, out, status_code=code)
        self.response.status_code = code
        return out

    async def _audit_only(
        self,
        kit: ServiceKit,
        work: Callable[[Any], Awaitable[ResultT]],
        respond: Callable[[ResultT], OutT],
        status_code: int | Callable[[ResultT], int],
    ) -> OutT:
        async with kit.pool().acquire() as conn:
            uow = kit.unit_of_work(conn=conn, audit=self.audit).without_transaction()
            result = await work(uow)
            out = respond(result)
            code = status_code(result) if callable(status_code) else status_code
            trail = uow.audit
            if not (isinstance(trail, DeferredAudit) and trail.records):
                raise AuditMissing(f"{self.audit.operation} recorded no audit record")
        # after the connection is back in the pool: the group's statement takes one of its own
        await trail.write()
        self.response.status_code = code
        return out


# ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread (a thread hop per
# request, measured in issue 15); these only build an object.
async def _write(
    request: Request, response: Response, audit: AuditTrail, idem: IdempotencyDep
) -> Call:
    return Call(request, response, audit, idem)


async def _read(request: Request, response: Response) -> Call:
    # the guard's trail read here, not through AuditTrail: one dependency fewer for FastAPI to
    # solve on every read (issue 15)
    return Call(request, response, await get_request_audit(request), None)


#: A write: transaction + Idempotency-Key + audit (routes guarded by ``require_roles``).
WriteDep = Annotated[Call, Depends(_write)]
#: A read of stored data: transaction + audit.
ReadDep = Annotated[Call, Depends(_read)]
