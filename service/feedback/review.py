"""The review queue of an analysis job: its flagged posts one at a time, each reviewer's place in it stored.

The queue is the job's posts with at least one distortion, lowest confidence first (where a reviewer's mark
changes most) or most reach first. A reviewer's progress (the posts given feedback on, the posts skipped,
the order) is a record in the store, so reopening the queue resumes where they left it.
"""

from __future__ import annotations

from typing import Any

from knowledge_base.errors import ConflictError, InvalidInputError, NotFoundError
from service.analysis.engine import PostOutcome
from service.analysis.jobs import AnalysisJobs
from service.auth.keys import LOCAL_PRINCIPAL, Principal
from service.check.checker import Checker
from service.check.offsets import convert_response
from service.check.schemas import OffsetUnit
from service.feedback.schemas import OfficialFact, QueuedPost, ReviewItem, ReviewOrder, ReviewQueue, ReviewSource


def _queued(outcome: PostOutcome) -> QueuedPost:
    confidences = [value for key, value in outcome.confidences.items() if key.startswith("d:")]
    return QueuedPost(
        index=outcome.index,
        id=outcome.id,
        text=outcome.text,
        author=outcome.author,
        reach=outcome.reach,
        confidence=round(min(confidences, default=1.0), 4),
        kinds=sorted({kind for _, kind, _ in outcome.distortions}),
    )


def ordered(outcomes: list[PostOutcome], order: ReviewOrder) -> list[QueuedPost]:
    """The flagged posts in queue order (ties: the post's position in the job)."""
    flagged = [_queued(outcome) for outcome in outcomes if outcome.distortions]
    if order is ReviewOrder.REACH:
        return sorted(flagged, key=lambda post: (-post.reach, post.confidence, post.index))
    return sorted(flagged, key=lambda post: (post.confidence, post.index))


class ReviewService:
    """A reviewer's walk through the flagged posts of an analysis job."""

    def __init__(self, jobs: AnalysisJobs, checker: Checker, principal: Principal = LOCAL_PRINCIPAL) -> None:
        self.jobs = jobs
        self.checker = checker
        self.principal = principal
        self.records = checker.repository.feedback

    def _progress(self, job_id: str) -> dict[str, Any]:
        stored = self.records.progress(job_id, self.principal.name)
        return stored or {"order": ReviewOrder.CONFIDENCE.value, "reviewed": [], "skipped": []}

    def queue(
        self, job_id: str, order: ReviewOrder | None = None, offsets: OffsetUnit = OffsetUnit.CODEPOINTS
    ) -> ReviewQueue:
        """The reviewer's progress and the post to review now. ``order`` (kept for next time) changes the
        order; absent, the order the reviewer used last (lowest confidence first at the start)."""
        info, outcomes = self.jobs.outcomes(job_id)
        progress = self._progress(job_id)
        if order is not None and order.value != progress["order"]:
            progress["order"] = order.value
            self.records.put_progress(job_id, self.principal.name, info.kb_id, progress)
        posts = ordered(outcomes, ReviewOrder(progress["order"]))
        reviewed, skipped = set(progress["reviewed"]), set(progress["skipped"])
        remaining = [(number, post) for number, post in enumerate(posts, 1) if post.index not in reviewed | skipped]
        current = None
        if remaining:
            position, post = remaining[0]
            current = self._item(info.kb_id, post, position, offsets)
        in_queue = {post.index for post in posts}
        return ReviewQueue(
            job_id=job_id,
            kb_id=info.kb_id,
            reviewer=self.principal.name,
            order=ReviewOrder(progress["order"]),
            total=len(posts),
            reviewed=len(reviewed & in_queue),
            skipped=len(skipped & in_queue),
            remaining=len(remaining),
            current=current,
        )

    def _item(self, kb_id: str, post: QueuedPost, position: int, offsets: OffsetUnit) -> ReviewItem:
        check = self.checker.check(kb_id, post.text)
        kb = self.checker.repository.get(kb_id)
        texts = {fact.id: (fact.text, "facts") for fact in kb.facts}
        texts |= {claim.id: (claim.text, "prohibited-claims") for claim in kb.prohibited_claims}
        named = [d.fact_id for d in check.distortions if d.fact_id]
        named += [s.facts[0].id for s in check.sentences if s.facts and s.verdict.value != "unrelated"]
        facts = [
            OfficialFact(id=fact_id, text=texts[fact_id][0], section=texts[fact_id][1])
            for fact_id in dict.fromkeys(named)
            if fact_id in texts
        ]
        return ReviewItem(post=post, position=position, check=convert_response(check, post.text, offsets), facts=facts)

    def _mark(self, job_id: str, post_index: int, field: str, what: str) -> None:
        info, outcomes = self.jobs.outcomes(job_id)
        if not any(outcome.index == post_index and outcome.distortions for outcome in outcomes):
            raise InvalidInputError(
                f"post {post_index} is not in the review queue of analysis job '{job_id}'",
                extra=[{"field": field, "message": "not a flagged post of the job"}],
            )
        progress = self._progress(job_id)
        for name in ("reviewed", "skipped"):
            progress[name] = [index for index in progress[name] if index != post_index]
        progress[what].append(post_index)
        self.records.put_progress(job_id, self.principal.name, info.kb_id, progress)

    def skip(self, job_id: str, post_index: int, offsets: OffsetUnit = OffsetUnit.CODEPOINTS) -> ReviewQueue:
        """Leave a post unreviewed and move on."""
        self._mark(job_id, post_index, "post_index", "skipped")
        return self.queue(job_id, offsets=offsets)

    def check_source(self, kb_id: str, source: ReviewSource) -> None:
        """Before feedback from a queue is stored: the job must be of this knowledge base and hold the post."""
        try:
            info, outcomes = self.jobs.outcomes(source.job_id)
        except (NotFoundError, ConflictError) as exc:
            raise InvalidInputError(
                exc.detail, extra=[{"field": "source.job_id", "message": "not a finished analysis job"}]
            ) from exc
        if info.kb_id != kb_id or not any(o.index == source.post_index and o.distortions for o in outcomes):
            raise InvalidInputError(
                f"post {source.post_index} of analysis job '{source.job_id}' is not in a review queue of '{kb_id}'",
                extra=[{"field": "source.post_index", "message": "not a flagged post of that job"}],
            )

    def reviewed(self, source: ReviewSource) -> None:
        """Record that the reviewer gave feedback on a post of the queue."""
        self._mark(source.job_id, source.post_index, "source.post_index", "reviewed")
