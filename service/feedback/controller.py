"""Reviewers' feedback on verdicts, its agreement figures, and the review queue of an analysis job (thin: the
logic is in the services)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.auth.keys import Role
from service.auth.middleware import requires
from service.check.schemas import DistortionKind, OffsetUnit
from service.feedback.review import ReviewService
from service.feedback.schemas import (
    Agreement,
    FeedbackEntry,
    FeedbackPage,
    FeedbackRequest,
    FeedbackSummary,
    ReviewOrder,
    ReviewQueue,
    SkipRequest,
)
from service.feedback.service import FeedbackFilter, FeedbackService
from service.openapi import errors

Reviewer = Annotated[str | None, QueryParameter(description="Only entries given with the key of this name.")]
Since = Annotated[
    str | None,
    QueryParameter(
        name="from",
        description="Only entries given on or after this day (UTC, YYYY-MM-DD).",
        schema_extra={"format": "date"},
    ),
]
Until = Annotated[
    str | None,
    QueryParameter(
        name="to",
        description="Only entries given on or before this day (UTC, YYYY-MM-DD).",
        schema_extra={"format": "date"},
    ),
]
Offsets = Annotated[
    OffsetUnit, Parameter(description="What the offsets of the post's check count (as in the check request).")
]


class FeedbackController(Controller):
    """Give and read feedback on verdicts."""

    path = "/api/v1/knowledge-bases/{kb_id:str}/feedback"
    tags = ["feedback"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    guards = [requires(Role.REVIEWER)]  # noqa: RUF012

    @post(
        "/",
        summary="Give feedback on a verdict",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        responses=errors(400, 404, 413, 422),
    )
    def give_feedback(self, feedback_service: FeedbackService, kb_id: str, data: FeedbackRequest) -> FeedbackEntry:
        """Mark each flagged distortion right or wrong (optionally with the right kind or fact), add the ones the
        checker missed, confirm or reject the key messages carried and the avoid-topics touched. Stored with
        the key's name, the time and the verdict's knowledge-base version, and written to the audit log."""
        return feedback_service.give(kb_id, data)

    @get("/", summary="List feedback", sync_to_thread=True, responses=errors(400, 404, 422))
    def list_feedback(
        self,
        feedback_service: FeedbackService,
        kb_id: str,
        reviewer: Reviewer = None,
        since: Since = None,
        until: Until = None,
        kind: Annotated[
            DistortionKind | None, Parameter(description="Only entries that flag, mark or add this kind.")
        ] = None,
        agreement: Annotated[
            Agreement | None,
            Parameter(description="agreed: every mark agreed with the checker and nothing was added; disagreed."),
        ] = None,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000, description="Skip this many entries.")] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1_000, description="At most this many entries.")] = 100,
    ) -> FeedbackPage:
        """The feedback entries of a knowledge base, newest first, with the total matching the filters."""
        selected = FeedbackFilter.of(reviewer, since, until, kind, agreement)
        return feedback_service.list(kb_id, selected, offset, limit)

    @get(
        "/summary",
        summary="Agreement between reviewers and the checker",
        sync_to_thread=True,
        responses=errors(400, 404, 422),
    )
    def feedback_summary(
        self,
        feedback_service: FeedbackService,
        kb_id: str,
        reviewer: Reviewer = None,
        since: Since = None,
        until: Until = None,
    ) -> FeedbackSummary:
        """Per kind and per fact: flags marked, right, wrong and missed, agreement, precision and recall on the
        reviewed posts; confirmations of key messages and avoid-topics; the same figures per ISO week."""
        return feedback_service.summary(kb_id, FeedbackFilter.of(reviewer, since, until))


class ReviewController(Controller):
    """The review queue of an analysis job."""

    path = "/api/v1/analyses/{job_id:str}/review"
    tags = ["feedback"]  # noqa: RUF012
    guards = [requires(Role.REVIEWER)]  # noqa: RUF012

    @get("/", summary="The review queue of an analysis job", sync_to_thread=True, responses=errors(400, 404, 409))
    def review_queue(
        self,
        review_service: ReviewService,
        job_id: str,
        order: Annotated[
            ReviewOrder | None,
            Parameter(description="confidence (lowest first) or reach (most first); absent: as last time."),
        ] = None,
        offsets: Offsets = OffsetUnit.CODEPOINTS,
    ) -> ReviewQueue:
        """The caller's progress through the job's flagged posts and the next one to review, checked again,
        with the official facts it concerns. Feedback with `source` set to the post moves the caller on."""
        return review_service.queue(job_id, order, offsets)

    @post(
        "/skip",
        summary="Skip a post of the review queue",
        status_code=HTTP_200_OK,
        sync_to_thread=True,
        responses=errors(400, 404, 409, 413, 422),
    )
    def skip_post(
        self, review_service: ReviewService, job_id: str, data: SkipRequest, offsets: Offsets = OffsetUnit.CODEPOINTS
    ) -> ReviewQueue:
        """Leave a post unreviewed and get the next one."""
        return review_service.skip(job_id, data.post_index, offsets)
