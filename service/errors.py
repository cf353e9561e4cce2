"""One error map and one error shape: every error the app answers with is ``{status_code, detail, extra}``.

Domain errors (which carry no HTTP status), store errors, Litestar's own exceptions (validation,
undecodable or malformed bodies, unknown routes, methods a route lacks) and anything unexpected are
mapped here, by :func:`error_answer`, to a status, a body and headers. The app's exception handler
(:func:`error_response`) and the middlewares that answer before a handler runs (auth, rate and body
limits, the time limit: :func:`send_error`) both answer with it, so a client reads the same body whichever
layer turned the request away.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.types import HTTPResponseBodyEvent, HTTPResponseStartEvent, Send
from pydantic import BaseModel, ConfigDict, Field

from knowledge_base.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    ModelMismatchError,
    NoFeedbackError,
    NotFoundError,
    StoreUnavailableError,
)
from knowledge_base.models import INCONSISTENT
from knowledge_base.store.base import StoreError, StoreUnreachableError

logger = logging.getLogger("brandcheck")

# Seconds a client is asked to wait when the store cannot be reached or a request ran out of time.
RETRY_AFTER_SECONDS = 5

# The status of each domain and store error; a subclass not listed takes its nearest base's.
ERROR_STATUS: dict[type[Exception], int] = {
    DomainError: 400,
    InvalidInputError: 422,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    NoFeedbackError: 409,  # nothing to learn from yet: give feedback first
    ModelMismatchError: 503,
    StoreUnavailableError: 503,
    StoreUnreachableError: 503,
    StoreError: 500,  # anything else the store refuses is a call of ours it should not have been given
}
# Errors that pass: the client may retry after Retry-After (a model mismatch needs an operator instead).
RETRY_LATER: tuple[type[Exception], ...] = (StoreUnavailableError, StoreUnreachableError)
STORE_UNREACHABLE = "the knowledge-base store cannot be reached; retry later"
INTERNAL_ERROR = "Internal Server Error"


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


@dataclass(frozen=True)
class ErrorAnswer:
    """What the app answers an error with: the status, the body's detail and extra, and headers."""

    status_code: int
    detail: str
    extra: list[Any] | dict[str, Any] | None = None
    headers: Mapping[str, str] = dataclass_field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return error_body(self.status_code, self.detail, self.extra)


def error_status(exc: DomainError | StoreError) -> int:
    """The HTTP status of a domain or store error (:data:`ERROR_STATUS`)."""
    return next(ERROR_STATUS[cls] for cls in type(exc).__mro__ if cls in ERROR_STATUS)


def _retry_headers(exc: Exception) -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(exc, RETRY_LATER) else {}


def error_answer(exc: Exception) -> ErrorAnswer:
    """The status, body and headers that answer ``exc``."""
    if isinstance(exc, DomainError):
        answer = ErrorAnswer(error_status(exc), exc.detail, exc.extra, _retry_headers(exc))
    elif isinstance(exc, StoreError):
        # Its message names the store's path or host, which are the operator's business.
        detail = STORE_UNREACHABLE if isinstance(exc, StoreUnreachableError) else INTERNAL_ERROR
        answer = ErrorAnswer(error_status(exc), detail, None, _retry_headers(exc))
    elif isinstance(exc, HTTPException):
        status_code = exc.status_code
        if isinstance(exc, ValidationException) and _only_inconsistencies(exc):
            status_code = 422
        detail = INTERNAL_ERROR if status_code == 500 else exc.detail  # a 500 never leaks internals
        answer = ErrorAnswer(status_code, detail, _http_exception_extra(exc), dict(exc.headers or {}))
    elif isinstance(exc, UnicodeDecodeError):
        extra = [{"field": "body", "message": f"invalid byte at offset {exc.start}", "source": "body"}]
        answer = ErrorAnswer(400, "the request body is not valid UTF-8", extra)
    else:
        answer = ErrorAnswer(500, INTERNAL_ERROR)
    return answer


def error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """The app's one exception handler: :func:`error_answer` as a response, with 5xx logged."""
    answer = error_answer(exc)
    if not isinstance(exc, DomainError | StoreUnreachableError | HTTPException | UnicodeDecodeError):
        logger.exception("%s %s failed", request.method, request.url.path)  # with the traceback: a bug
    elif answer.status_code >= 500:
        said = exc.detail if isinstance(exc, DomainError | HTTPException) else str(exc)
        logger.error("%s %s: %s", request.method, request.url.path, said)
    return Response(
        answer.body(),
        status_code=answer.status_code,
        headers=dict(answer.headers) or None,
        media_type=MediaType.JSON,
    )


async def send_error(send: Send, exc: Exception) -> None:
    """Answer with :func:`error_answer` of ``exc`` straight from a middleware, without a handler."""
    answer = error_answer(exc)
    body = json.dumps(answer.body()).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in answer.headers.items()]
    status = answer.status_code
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": status, "headers": raw_headers}
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)
