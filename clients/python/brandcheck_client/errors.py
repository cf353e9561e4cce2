"""The exceptions a brandcheck client raises.

Every error from a call carries the ``httpx.Request`` it made (``.request``: method, URL, headers) and the
server's ``X-Request-ID`` (``.request_id``, None when no response came back), and ``str(error)`` names
both, so one log line is enough to find the call in the server's logs."""

from __future__ import annotations

from typing import Any

import httpx

REQUEST_ID_HEADER = "x-request-id"


class BrandcheckError(Exception):
    """Base of every client error.

    ``message`` is what went wrong; ``request`` is the request that failed and ``request_id`` the id the
    server gave it (both None for errors not tied to one call, such as a failed analysis job)."""

    request: httpx.Request | None
    request_id: str | None

    def __init__(self, message: str, *, request: httpx.Request | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.request_id = request_id

    def __str__(self) -> str:
        if self.request is None:
            return self.message
        request_id = f"request id {self.request_id}" if self.request_id else "no request id"
        return f"{self.message} [{self.request.method} {self.request.url}, {request_id}]"


class APIConnectionError(BrandcheckError):
    """The server could not be reached, or the connection failed before an answer: no ``request_id``."""

    request: httpx.Request

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIStatusError(BrandcheckError):
    """The server answered with an error status: ``status_code``, ``detail`` and ``extra`` as it sent them,
    the whole ``response``, the ``request`` it answered and its ``request_id``."""

    request: httpx.Request

    def __init__(self, response: httpx.Response, detail: str, extra: Any) -> None:
        reason = f" {response.reason_phrase}" if response.reason_phrase else ""
        super().__init__(
            f"{response.status_code}{reason}: {detail}",
            request=response.request,
            request_id=response.headers.get(REQUEST_ID_HEADER),
        )
        self.response = response
        self.status_code = response.status_code
        self.detail = detail
        self.extra = extra


class BadRequestError(APIStatusError):
    """400: the request is malformed; ``field_errors`` lists what the server named."""

    @property
    def field_errors(self) -> list[dict[str, Any]]:
        """The server's per-field errors, if any."""
        return list(self.extra) if isinstance(self.extra, list) else []


class ValidationError(BadRequestError):
    """422: the content does not validate (duplicate ids, bad dates, ...)."""


class AuthenticationError(APIStatusError):
    """401: no or a wrong API key."""


class PermissionDeniedError(APIStatusError):
    """403: the key's role does not allow this."""


class NotFoundError(APIStatusError):
    """404: no such knowledge base, item or job."""


class ConflictError(APIStatusError):
    """409: an id already in use, a stale version, or a job not finished."""


class PayloadTooLargeError(APIStatusError):
    """413: the body is too large."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` is the wait the server asked for (seconds), if any."""

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait, from the Retry-After header."""
        return retry_after_seconds(self.response)


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitError,
}


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds (only the delta-seconds form)."""
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def error_for(response: httpx.Response) -> APIStatusError:
    """The exception for an error response."""
    detail: str = response.reason_phrase or "error"
    extra: Any = None
    try:
        body = response.json()
        if isinstance(body, dict):
            detail = str(body.get("detail", detail))
            extra = body.get("extra")
    except ValueError:
        if response.text:
            detail = response.text[:500]
    kind = _BY_STATUS.get(response.status_code)
    if kind is None:
        kind = InternalServerError if response.status_code >= 500 else APIStatusError
    return kind(response, detail, extra)


def connection_error(request: httpx.Request, cause: httpx.TransportError) -> APIConnectionError:
    """The exception for a request that got no answer: :class:`APITimeoutError` if it timed out."""
    name = type(cause).__name__
    if isinstance(cause, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({name})", request=request)
    reason = f"{name}: {cause}" if str(cause) else name
    return APIConnectionError(f"connection failed ({reason})", request=request)
