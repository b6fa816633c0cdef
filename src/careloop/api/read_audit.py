"""Every answer that shows personal data unmasked is audited before it leaves.

The API and the pages decide per complaint whether the reader sees its personal data
(``services.personal_data.sees_personal_data``); each yes is noted in the request's read
log. When the answer starts, and only if it is a success, one ``personal_data_read``
security event per request names the reader and every such complaint (and spam report:
its reporter's number), with the route and the client. The event is written before the
first byte of the answer: if it cannot be written, the data is not sent (the request
fails instead).

Answers to a creation (201: intake, a new note) echo what their caller has just sent and
are not reads. Exports and reports record their own event, naming what they carried.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careloop.bootstrap import Platform
from careloop.services.privacy import personal_data
from careloop.services.unit_of_work import UnitOfWork


class PersonalDataReads:
    """A plain ASGI middleware (no extra task), like the app's other middlewares."""

    def __init__(
        self,
        app: ASGIApp,
        platform: Platform,
        clock: Callable[[], datetime],
    ) -> None:
        self.app = app
        self.platform = platform
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with personal_data.reading() as log:

            async def audited_send(message: Message) -> None:
                if message["type"] == "http.response.start" and log:
                    status = int(message["status"])
                    if status < 400 and status != 201:
                        await run_in_threadpool(self._record, scope, log)
                    log.clear()
                await send(message)

            await self.app(scope, receive, audited_send)

    def _record(self, scope: Scope, log: personal_data.ReadLog) -> None:
        client = scope.get("client")
        address = client[0] if client else None
        via = f"{scope.get('method', '')} {scope.get('path', '')}"
        request_uow = scope.get("state", {}).get("uow")
        if isinstance(request_uow, UnitOfWork):
            # The answer is built: what the endpoint left uncommitted would be rolled back
            # when the request closes its unit of work, so it is rolled back now, and the
            # audit written in the same session (SQLite: the one writer).
            request_uow.rollback()
            personal_data.record_reads(request_uow, log, self.clock(), via, address)
            return
        with self.platform.unit_of_work() as uow:
            personal_data.record_reads(uow, log, self.clock(), via, address)
