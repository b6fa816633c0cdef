"""Every request runs under an id: the caller's ``X-Request-ID`` (checked) or a new one.

The id is answered in the response's ``X-Request-ID`` header and held in a context
variable (careloop.logs) for as long as the request runs, so every log line it causes,
from the services, the access log and the jobs it queues, carries it: a complaint's
intake can be followed from the proxy's log to the worker's. The outermost wrapper, so
that even a refusal by another middleware (413, 403, 500) carries it.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careloop.logs import REQUEST_ID, accepted_request_id

HEADER = "X-Request-ID"


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(Headers(scope=scope).get(HEADER))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])  # optional in ASGI
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            # Kept: the server logs the failure after this returns, in this request's own
            # task (its context ends with it), and that line belongs to the request too.
            raise
        else:
            REQUEST_ID.reset(token)
