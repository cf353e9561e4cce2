"""OPTIONS answers list every method of the path.

Litestar makes one OPTIONS handler per route, and when several controllers (or handlers registered one
after another) share a path, the handler it keeps lists only the methods known when it was made.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send


class AllowHeaderMiddleware(ASGIMiddleware):
    """Rewrites the ``Allow`` header of OPTIONS answers from the app's route map."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") != "OPTIONS":
            await next_app(scope, receive, send)
            return
        app = Litestar.from_scope(scope)
        handler = scope.get("route_handler")
        methods: set[str] = set()
        for path in getattr(handler, "paths", ()):
            methods.update(app.route_handler_method_map.get(path, {}))
        allow = ", ".join(sorted(methods)).encode()

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and methods:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message["headers"] = [*headers, (b"allow", allow)]
            await send(message)

        await next_app(scope, receive, send_with_allow)
