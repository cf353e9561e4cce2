"""Request limits: body size per kind of route, and a time limit on every request."""

from __future__ import annotations

import anyio
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, ServiceUnavailableException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import RETRY_AFTER_SECONDS, send_error

UPLOAD_OPT = "upload"  # route opt: the route takes files (imports, analyses) and gets the larger body limit
TIMEOUT_OPT = "timeout"  # route opt: seconds, overriding the default request timeout


class LimitsMiddleware(ASGIMiddleware):
    """413 before reading a body whose declared length is over the route's limit (Litestar enforces the
    upload limit on streamed bodies too); 503 with Retry-After when a request runs past its time limit.

    A handler running in a worker thread cannot be interrupted: on timeout the caller gets the 503 at
    once and the work finishes in the background, its result discarded.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, max_body_bytes: int, max_upload_bytes: int, timeout_seconds: float) -> None:
        self._max_body = max_body_bytes
        self._max_upload = max_upload_bytes
        self._timeout = timeout_seconds

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        opt = getattr(scope.get("route_handler"), "opt", {}) or {}
        limit = self._max_upload if opt.get(UPLOAD_OPT) else self._max_body
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            detail = f"the request body is {int(declared):,} bytes; this endpoint takes at most {limit:,}"
            await send_error(send, ClientException(detail, status_code=413))
            return
        timeout = float(opt.get(TIMEOUT_OPT, self._timeout))
        response_started = False
        timed_out = False

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if timed_out:
                return  # the caller already has its 503
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        async with anyio.create_task_group() as group:

            async def watchdog() -> None:
                nonlocal timed_out
                await anyio.sleep(timeout)
                if not response_started:
                    timed_out = True
                    detail = f"the request took longer than {timeout:g} s"
                    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
                    await send_error(send, ServiceUnavailableException(detail, headers=retry))
                    group.cancel_scope.cancel()

            group.start_soon(watchdog)
            await next_app(scope, receive, guarded_send)
            group.cancel_scope.cancel()
