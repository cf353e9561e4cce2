"""Who is calling, may they, and not too often: the authentication middleware and the role guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from service.auth.keys import LOCAL_PRINCIPAL, KeyRing, Principal, Role
from service.auth.rate_limit import RateLimiter
from service.auth.sessions import SESSION_COOKIE, read_session
from service.errors import send_error

PUBLIC_PATHS = ("/health", "/ready", "/metrics", "/login", "/ui/login", "/ui/logout")
PUBLIC_PREFIXES = ("/schema", "/static/")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def presented_key(scope: Scope) -> str | None:
    """The key sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    authorization = _header(scope, b"authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    key = _header(scope, b"x-api-key")
    return key.strip() if key and key.strip() else None


class AuthMiddleware(ASGIMiddleware):
    """Sets ``scope["user"]`` to the caller's :class:`Principal` and applies the per-key rate limit.

    Without keys configured everyone is the local admin (the server then listens on loopback only).
    With keys, every path but the public ones needs a key; the web pages and their ``/ui`` endpoints
    (and REST reads) also accept the login cookie. A page asked for without a session redirects to /login.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, keys: Callable[[Litestar], KeyRing], limiter: RateLimiter, session_secret: bytes) -> None:
        self._keys = keys
        self._limiter = limiter
        self._secret = session_secret

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        try:
            principal = self._principal(scope)
        except HTTPException as error:  # answered here, before a handler (and its exception handler) runs
            await send_error(send, error)
            return
        scope["user"] = principal
        if principal is not None and principal.key_id is not None:
            wait = self._limiter.acquire(principal.key_id, principal.rate_per_minute)
            if wait:
                detail = f"rate limit of key '{principal.name}' exceeded; retry after {wait:.0f} s"
                await send_error(send, TooManyRequestsException(detail, headers={"Retry-After": f"{wait:.0f}"}))
                return
        await next_app(scope, receive, send)

    def _principal(self, scope: Scope) -> Principal | None:
        keys = self._keys(Litestar.from_scope(scope))
        if not keys.enabled:
            return LOCAL_PRINCIPAL
        path: str = scope["path"]
        key = presented_key(scope)
        if key is not None:
            principal = keys.authenticate(key)
            if principal is None:
                raise NotAuthorizedException(
                    "unknown API key", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
                )
            return principal
        api_write = path.startswith("/api/") and scope.get("method") not in ("GET", "HEAD")
        session = _cookie(scope, SESSION_COOKIE)
        if session and not api_write:
            digest = read_session(self._secret, session)
            principal = keys.authenticate_digest(digest) if digest else None
            if principal is not None:
                return principal
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if scope.get("method") == "GET" and not path.startswith(("/api/", "/ui/")):
            raise HTTPException("log in first", status_code=303, headers={"Location": f"/login?next={quote(path)}"})
        raise NotAuthorizedException(
            "this needs an API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


def requires(role: Role) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard: the caller's key must have ``role`` or a higher one."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = connection.scope.get("user")
        if not isinstance(principal, Principal):
            raise NotAuthorizedException(detail="this needs an API key", headers={"WWW-Authenticate": "Bearer"})
        if principal.role < role:
            raise PermissionDeniedException(
                detail=f"key '{principal.name}' has the {principal.role.label} role; this needs {role.label}",
                extra={"role": principal.role.label, "required": role.label},
            )

    guard.__name__ = f"requires_{role.label}"
    return guard


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller (set by :class:`AuthMiddleware`); 401 on a public path, where there is none."""
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException(detail="this needs an API key", headers={"WWW-Authenticate": "Bearer"})
    return principal
