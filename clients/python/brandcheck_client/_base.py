"""What the sync and async clients share: configuration, headers, retry policy and error mapping."""

from __future__ import annotations

import random
import time
from typing import Any

import httpx

from brandcheck_client._calls import Call
from brandcheck_client.errors import BrandcheckError, error_for, retry_after_seconds
from brandcheck_client.models import Job

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
RETRY_STATUSES = frozenset({429, 503})


class BaseClient:
    """Configuration and policies shared by :class:`BrandcheckClient` and :class:`AsyncBrandcheckClient`."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.max_retries = max_retries

    def _headers(self, call: Call[Any]) -> dict[str, str]:
        headers = {"accept": "application/json", **call.headers}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
            headers["x-api-key"] = self.api_key
        return headers

    def _request_kwargs(self, call: Call[Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"headers": self._headers(call), "params": call.params}
        if call.json_body is not None:
            kwargs["json"] = call.json_body
        elif call.content is not None:
            kwargs["content"] = call.content
        return kwargs

    def _retry_delay(self, call: Call[Any], attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before another try, or None: only idempotent calls are retried, on connection
        errors, 429 and 503, with exponential backoff and jitter (or the server's Retry-After)."""
        if not call.idempotent or attempt >= self.max_retries:
            return None
        if response is not None:
            if response.status_code not in RETRY_STATUSES:
                return None
            asked = retry_after_seconds(response)
            if asked is not None:
                return min(asked, 60.0)
        backoff: float = min(0.5 * 2.0**attempt, 8.0)
        return backoff * (0.75 + random.random() / 2)

    def _job_succeeded(self, job: Job, started: float, timeout: float | None) -> bool:
        """While waiting for an analysis: True once ``job`` has succeeded, False while it may still; a
        BrandcheckError if it failed, was cancelled or is still going ``timeout`` seconds after ``started``
        (``time.monotonic``)."""
        if job.status == "succeeded":
            return True
        if job.finished:
            raise BrandcheckError(f"analysis job {job.id} {job.status}" + (f": {job.error}" if job.error else ""))
        if timeout is not None and time.monotonic() - started > timeout:
            raise BrandcheckError(f"analysis job {job.id} still {job.status} after {timeout} s")
        return False

    def _result(self, call: Call[Any], response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise error_for(response)
        return call.parse(response)
