"""One error shape: every error the app answers with is ``{status_code, detail, extra}``.

Domain errors, Litestar's own exceptions (validation, undecodable or malformed bodies, unknown routes,
methods a route lacks) and anything unexpected go through :func:`error_response`, so a client reads the
same body whichever layer turned the request away. The middlewares that answer before a handler runs
(auth, body limits) write the same body with :func:`error_body`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from pydantic import BaseModel, ConfigDict, Field

from knowledge_base.errors import DomainError
from knowledge_base.models import INCONSISTENT

logger = logging.getLogger("brandcheck")


class FieldError(BaseModel):
    """What is wrong with one part of a request."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(description="The field, as `facts[1].id`; `body` for the body as a whole.")
    message: str = Field(description="What is wrong with it.")
    source: str | None = Field(None, description="Where the field is: body, query, path or header.")
    line: int | None = Field(None, description="Line of the field in an imported YAML or JSON document.")


class ErrorBody(BaseModel):
    """The body of every error response."""

    status_code: int = Field(description="The HTTP status, repeated.")
    detail: str = Field(description="What went wrong, for a person.")
    extra: list[FieldError] | dict[str, Any] | None = Field(
        description="Per-field errors for bad input; an object with context (ids, versions, roles) otherwise; "
        "null when there is nothing to add."
    )


def error_body(status_code: int, detail: str, extra: list[Any] | dict[str, Any] | None = None) -> dict[str, Any]:
    """The error body as a JSON-ready dict (``extra`` always present, null when empty)."""
    return {"status_code": status_code, "detail": detail, "extra": extra}


def _field_name(key: str) -> str:
    # Litestar joins pydantic's error location with dots ("facts.1.id"); the service names fields "facts[1].id".
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", key)


def _validation_extra(extra: Any) -> list[dict[str, Any]] | None:
    """Litestar's ``[{message, key, source}]`` as the service's ``[{field, message, source}]``."""
    if not isinstance(extra, list):
        return None
    errors = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        source = item.get("source") or "body"
        key = item.get("key")
        message = str(item.get("message", ""))
        if not key or key == "data":  # the body as a whole (Litestar names a missing body "data")
            key, message = "body", message if key is None else "a JSON body is required"
        errors.append({"field": _field_name(str(key)), "message": message, "source": source})
    return errors or None


def _only_inconsistencies(exc: ValidationException) -> bool:
    """Whether a body broke only rules the OpenAPI document cannot state: content that is well formed but
    inconsistent is a 422, like the same content imported from a file."""
    errors = getattr(exc.__cause__, "errors", None)
    if not isinstance(errors, list) or not errors:
        return False
    return all(isinstance(error, dict) and error.get("type") == INCONSISTENT for error in errors)


def _http_exception_extra(exc: HTTPException) -> list[Any] | dict[str, Any] | None:
    if isinstance(exc, ValidationException):
        return _validation_extra(exc.extra)
    if isinstance(exc.__cause__, SerializationException | UnicodeDecodeError):
        # The body could not be decoded at all (not UTF-8, not JSON): name the body.
        return [{"field": "body", "message": str(exc.__cause__), "source": "body"}]
    if exc.status_code == 413:
        return [{"field": "body", "message": exc.detail, "source": "body"}]
    extra = exc.extra
    return extra if isinstance(extra, list | dict) and extra else None


def error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Map any exception to ``{status_code, detail, extra}`` (the app's one exception handler)."""
    headers: dict[str, str] | None = None
    if isinstance(exc, DomainError):
        status_code, detail, extra = exc.status_code, exc.detail, exc.extra
    elif isinstance(exc, HTTPException):
        status_code, detail, extra = exc.status_code, exc.detail, _http_exception_extra(exc)
        headers = dict(exc.headers) if exc.headers else None
        if isinstance(exc, ValidationException) and _only_inconsistencies(exc):
            status_code = 422
    elif isinstance(exc, UnicodeDecodeError):
        status_code, detail = 400, "the request body is not valid UTF-8"
        extra = [{"field": "body", "message": f"invalid byte at offset {exc.start}", "source": "body"}]
    else:
        logger.exception("%s %s failed", request.method, request.url.path)
        status_code, detail, extra = 500, "Internal Server Error", None
    if status_code >= 500 and isinstance(exc, DomainError | HTTPException):
        logger.error("%s %s: %s", request.method, request.url.path, detail)
        if status_code == 500:
            detail = "Internal Server Error"  # never leak internals
    return Response(
        error_body(status_code, detail, extra), status_code=status_code, headers=headers, media_type=MediaType.JSON
    )
