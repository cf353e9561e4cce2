"""POST /api/v1/knowledge-bases/{kb_id}/check."""

from __future__ import annotations

from litestar import Controller, post
from litestar.status_codes import HTTP_200_OK

from service.auth.keys import Role
from service.auth.middleware import requires
from service.check.checker import Checker
from service.check.offsets import convert_response
from service.check.schemas import CheckRequest, CheckResponse
from service.observability import Metrics
from service.openapi import errors


class CheckController(Controller):
    """Check content against a knowledge base."""

    path = "/api/v1/knowledge-bases/{kb_id:str}/check"
    tags = ["check"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    guards = [requires(Role.REVIEWER)]  # noqa: RUF012

    @post(
        "/",
        summary="Check content for distortions and key messages",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=errors(400, 404, 413),
    )
    def check(self, checker: Checker, metrics: Metrics, kb_id: str, data: CheckRequest) -> CheckResponse:
        """Per sentence: span, matched items with scores and a verdict; each distortion with its kind, the
        official fact, an explanation and a correction; for the whole text, the key messages carried and
        missed, the avoid-topics touched, counts and a consistency score. Offsets count code points unless
        ``offsets`` asks for UTF-16 code units or UTF-8 bytes."""
        response = checker.check(kb_id, data.text, data.lang, data.min_confidence)
        metrics.record_check("api", [d.kind for d in response.distortions])
        return convert_response(response, data.text, data.offsets)
