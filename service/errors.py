"""One exception handler: domain errors become ``{status_code, detail, extra}`` responses."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response

from knowledge_base.errors import DomainError

logger = logging.getLogger("brandcheck")


def domain_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Map a :class:`DomainError` to its status with the same body shape Litestar uses for its own errors."""
    assert isinstance(exc, DomainError)
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
    if exc.extra is not None:
        body["extra"] = exc.extra
    if exc.status_code >= 500:
        logger.error("%s %s: %s", request.method, request.url.path, exc.detail)
    return Response(body, status_code=exc.status_code)


def undecodable_body_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A body that is not valid UTF-8 is the client's mistake: 400, naming the body."""
    assert isinstance(exc, UnicodeDecodeError)
    body = {
        "status_code": 400,
        "detail": "the request body is not valid UTF-8",
        "extra": [{"field": "body", "message": f"invalid byte at offset {exc.start}"}],
    }
    return Response(body, status_code=400)
