"""Request ids, structured JSON logs and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from service.analysis.schemas import AnalysisResult

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_logger = logging.getLogger("brandcheck.access")

_STANDARD_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str, fmt: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` (JSON or text lines on stderr) that uvicorn applies in every worker.

    uvicorn's own loggers go through it too; its access log is off, the app logs each request itself."""
    formatter: dict[str, Any] = (
        {"()": "service.observability.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "default"}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"level": level.upper(), "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


@dataclass
class Metrics:
    """The service's Prometheus metrics, in a registry of their own (one per app)."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    checks: Counter
    distortions: Counter
    jobs_running: Gauge

    @classmethod
    def create(cls) -> Metrics:
        """A fresh registry with every metric declared."""
        registry = CollectorRegistry(auto_describe=True)
        return cls(
            registry=registry,
            requests=Counter(
                "brandcheck_http_requests_total",
                "HTTP requests by route and status.",
                ["method", "route", "status"],
                registry=registry,
            ),
            latency=Histogram(
                "brandcheck_http_request_duration_seconds",
                "HTTP request latency by route.",
                ["method", "route"],
                buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
                registry=registry,
            ),
            checks=Counter(
                "brandcheck_posts_checked_total", "Posts checked, by source.", ["source"], registry=registry
            ),
            distortions=Counter(
                "brandcheck_distortions_total",
                "Distortions found, by kind and source.",
                ["kind", "source"],
                registry=registry,
            ),
            jobs_running=Gauge(
                "brandcheck_analysis_jobs_active", "Analysis jobs queued or running.", registry=registry
            ),
        )

    def record_analysis(self, result: AnalysisResult) -> None:
        """Count the posts of a finished analysis and the distortions found in them."""
        self.checks.labels("analysis").inc(result.posts)
        for stat in result.distortions:
            self.distortions.labels(stat.kind, "analysis").inc(stat.posts)

    def record_check(self, source: str, distortion_kinds: list[str]) -> None:
        """Count one checked post and its distortions."""
        self.checks.labels(source).inc()
        for kind in distortion_kinds:
            self.distortions.labels(kind, source).inc()


class RequestContextMiddleware(ASGIMiddleware):
    """Gives every request an id (the caller's ``X-Request-ID`` if sane, else a new one), echoes it in the
    response, logs one JSON line per request and records the request metrics."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        incoming = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == REQUEST_ID_HEADER), "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            method = scope.get("method", "")
            self._metrics.requests.labels(method, route, str(status)).inc()
            self._metrics.latency.labels(method, route).observe(elapsed)
            principal = scope.get("user")
            access_logger.info(
                "%s %s %d",
                method,
                scope["path"],
                status,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "key": getattr(principal, "name", None),
                },
            )
            request_id_var.reset(token)
