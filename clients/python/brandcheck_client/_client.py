"""The synchronous client."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel

from brandcheck_client import _calls as calls
from brandcheck_client._base import DEFAULT_MAX_RETRIES, BaseClient
from brandcheck_client._calls import Call, ReviewOrder, Section
from brandcheck_client.errors import connection_error
from brandcheck_client.models import (
    AnalysisResult,
    ApiKey,
    AuditEntry,
    CheckResult,
    CreatedKey,
    DecisionModelInfo,
    DistortionKind,
    FeedbackEntry,
    FeedbackPage,
    FeedbackRequest,
    FeedbackSummary,
    ItemChange,
    Job,
    KnowledgeBase,
    KnowledgeBaseSummary,
    Me,
    OffsetUnit,
    ReviewQueue,
    SearchResponse,
)

T = TypeVar("T")


class BrandcheckClient(BaseClient):
    """Talk to a brandcheck server. Use as a context manager, or call :meth:`close`.

    ``http_client`` may be any ``httpx.Client`` (for example Litestar's test client); it is then not
    closed by this client. ``sleep`` is what waits between retries (tests pass a no-op)."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(base_url, api_key, timeout, max_retries)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(base_url=self.base_url, timeout=self.timeout)
        self._sleep = sleep

    def __enter__(self) -> BrandcheckClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool (if this client created it)."""
        if self._owns_http:
            self._http.close()

    def _send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            # Built here rather than inside httpx so that an error can always name the request.
            request = self._http.build_request(call.method, call.path, **self._request_kwargs(call))
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:  # timeouts included
                delay = self._retry_delay(call, attempt, None)
                if delay is None:
                    raise connection_error(request, exc) from exc
            else:
                delay = self._retry_delay(call, attempt, response) if response.status_code >= 400 else None
                if delay is None:
                    result: T = self._result(call, response)
                    return result
            self._sleep(delay)
            attempt += 1

    # -- knowledge bases ----------------------------------------------------------------------------

    def list_knowledge_bases(self) -> list[KnowledgeBaseSummary]:
        """Every knowledge base with its version and item counts."""
        return self._send(calls.list_knowledge_bases())

    def create_knowledge_base(self, document: BaseModel | Mapping[str, Any]) -> KnowledgeBase:
        """Create a knowledge base from the kb.json interchange form (plus an optional ``id``); 409 if taken."""
        return self._send(calls.create_knowledge_base(document))

    def get_knowledge_base(self, kb_id: str) -> KnowledgeBase:
        """The live version of a knowledge base with all its items."""
        return self._send(calls.get_knowledge_base(kb_id))

    def replace_knowledge_base(
        self, kb_id: str, content: BaseModel | Mapping[str, Any], expected_version: int | None = None
    ) -> KnowledgeBase:
        """Create or atomically replace a whole knowledge base (ConflictError if not at ``expected_version``)."""
        return self._send(calls.replace_knowledge_base(kb_id, content, expected_version))

    def delete_knowledge_base(self, kb_id: str, expected_version: int | None = None) -> None:
        """Delete a knowledge base and its items."""
        self._send(calls.delete_knowledge_base(kb_id, expected_version))

    def import_knowledge_base(
        self,
        data: bytes | str | Path | Mapping[str, Any],
        format: Literal["yaml", "json"] | None = None,
        kb_id: str | None = None,
        mode: Literal["create", "replace", "upsert"] = "upsert",
    ) -> KnowledgeBase:
        """Import a YAML or kb.json document (a file path, text, bytes or a dict), all or nothing."""
        return self._send(calls.import_knowledge_base(data, format, kb_id, mode))

    def export_knowledge_base(self, kb_id: str, format: Literal["json", "yaml"] = "json") -> str:
        """The knowledge base as kb.json (interchange) or authoring YAML text."""
        return self._send(calls.export_knowledge_base(kb_id, format))

    def list_items(self, kb_id: str, section: Section) -> list[dict[str, Any]]:
        """Every item of a section: facts, key-messages, avoid-topics or prohibited-claims."""
        return self._send(calls.list_items(kb_id, section))

    def get_item(self, kb_id: str, section: Section, item_id: str) -> dict[str, Any]:
        """One item."""
        return self._send(calls.get_item(kb_id, section, item_id))

    def add_item(self, kb_id: str, section: Section, item: Mapping[str, Any]) -> ItemChange:
        """Add an item (ConflictError if its id is used); returns the new version."""
        return self._send(calls.add_item(kb_id, section, item))

    def update_item(self, kb_id: str, section: Section, item_id: str, item: Mapping[str, Any]) -> ItemChange:
        """Replace an item; returns the new version."""
        return self._send(calls.update_item(kb_id, section, item_id, item))

    def delete_item(self, kb_id: str, section: Section, item_id: str) -> None:
        """Delete an item."""
        self._send(calls.delete_item(kb_id, section, item_id))

    # -- search and check ---------------------------------------------------------------------------

    def search(
        self, kb_id: str, text: str, limit: int = 5, sections: Sequence[Section] | None = None
    ) -> SearchResponse:
        """The items nearest a text, with cosine and lexical scores (for tuning thresholds)."""
        return self._send(calls.search(kb_id, text, limit, sections))

    def check(self, kb_id: str, text: str, lang: str | None = None, *, offsets: str | None = None) -> CheckResult:
        """Check a post: distortions with the official fact and a correction, key messages carried and missed.

        Offsets count code points (Python's str indices); ``offsets="utf16"`` or ``"utf8"`` asks for UTF-16
        code units or UTF-8 bytes instead."""
        return self._send(calls.check(kb_id, text, lang, offsets))

    # -- access -------------------------------------------------------------------------------------

    def me(self) -> Me:
        """The name and role of this client's key."""
        return self._send(calls.me())

    def audit_log(self, kb_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Changes to one knowledge base (or to all), newest first (editor role)."""
        return self._send(calls.audit_log(kb_id, limit))

    def list_keys(self) -> list[ApiKey]:
        """Every API key by name, role and key id (admin role)."""
        return self._send(calls.list_keys())

    def create_key(self, name: str, role: str, rate_per_minute: int | None = None) -> CreatedKey:
        """Create a key (admin role); ``.key`` holds the key, returned only this once."""
        return self._send(calls.create_key(name, role, rate_per_minute))

    def delete_key(self, key_id: str) -> None:
        """Delete a key created through the API (admin role)."""
        self._send(calls.delete_key(key_id))

    # -- analyses -----------------------------------------------------------------------------------

    def submit_analysis(
        self,
        kb_id: str,
        posts: Sequence[Mapping[str, Any]] | bytes | Path,
        mode: Literal["auto", "sync", "async"] = "async",
    ) -> Job | AnalysisResult:
        """Analyse posts (dicts with at least ``text``, or a CSV/JSONL/JSON file). With ``mode="async"`` (the
        default) a :class:`Job` comes back; with ``auto`` small corpora are answered at once."""
        return self._send(calls.submit_analysis(kb_id, posts, mode))

    def get_analysis(self, job_id: str) -> Job:
        """A job's status and progress (done, total, ETA)."""
        return self._send(calls.get_analysis(job_id))

    def analysis_result(self, job_id: str) -> AnalysisResult:
        """The result of a finished job (ConflictError until it has succeeded)."""
        return self._send(calls.analysis_result(job_id))

    def cancel_analysis(self, job_id: str) -> Job:
        """Cancel a queued or running job (ConflictError if it has finished)."""
        return self._send(calls.cancel_analysis(job_id))

    def wait_for_analysis(
        self,
        job_id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[Job], None] | None = None,
    ) -> AnalysisResult:
        """Poll a job until it finishes, calling ``on_progress`` each time; its result, or BrandcheckError if
        it failed, was cancelled or ``timeout`` seconds passed."""
        started = time.monotonic()
        while True:
            job = self.get_analysis(job_id)
            if on_progress is not None:
                on_progress(job)
            if self._job_succeeded(job, started, timeout):
                return self.analysis_result(job_id)
            self._sleep(poll_interval)

    # -- feedback and the review queue --------------------------------------------------------------

    def give_feedback(self, kb_id: str, feedback: FeedbackRequest | Mapping[str, Any]) -> FeedbackEntry:
        """Give a reviewer's feedback on a check's verdict (reviewer role); the stored entry comes back.

        ``feedback`` is a :class:`FeedbackRequest` (``VerdictRef.of(result)`` makes its ``verdict`` from a
        :class:`CheckResult`) or its JSON form. Only the fields set are sent. An unknown fact, key message or
        avoid-topic id, a span past the text, a mark on no flag, ... is a ValidationError (422) whose
        ``field_errors`` name the field (``missed[0].fact_id``); nothing is stored. Not retried."""
        return self._send(calls.give_feedback(kb_id, feedback))

    def list_feedback(
        self,
        kb_id: str,
        *,
        reviewer: str | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
        kind: DistortionKind | None = None,
        agreement: Literal["agreed", "disagreed"] | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> FeedbackPage:
        """Feedback entries of a knowledge base, newest first, with the ``total`` matching the filters:
        ``reviewer`` (a key's name), ``since`` and ``until`` (days, UTC, inclusive; sent as ``from`` and
        ``to``), ``kind`` (entries flagging, marking or adding it) and ``agreement``; paged by ``offset``
        and ``limit`` (1-1,000)."""
        return self._send(calls.list_feedback(kb_id, reviewer, since, until, kind, agreement, offset, limit))

    def feedback_summary(
        self,
        kb_id: str,
        *,
        reviewer: str | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
    ) -> FeedbackSummary:
        """Agreement between reviewers and the checker: flags marked, right, wrong and missed, with
        agreement, precision and recall, overall, per kind, per fact and per ISO week; confirmations of key
        messages and avoid-topics. Filtered as :meth:`list_feedback`."""
        return self._send(calls.feedback_summary(kb_id, reviewer, since, until))

    def review_queue(
        self, job_id: str, order: ReviewOrder | None = None, *, offsets: OffsetUnit | None = None
    ) -> ReviewQueue:
        """This key's progress through the flagged posts of a finished analysis job and the post to review
        now (``.current``, None when done): the post, its check run again, the facts concerned.

        ``order`` (``"confidence"``, lowest first, or ``"reach"``, most first) is kept for next time; left
        out, the order used last. Feedback whose ``source`` is the current post moves the queue on. Only
        jobs (``mode="async"``) have a queue; ConflictError while the job is not finished."""
        return self._send(calls.review_queue(job_id, order, offsets))

    def skip_review(self, job_id: str, post_index: int, *, offsets: OffsetUnit | None = None) -> ReviewQueue:
        """Leave a post of the review queue unreviewed (``post_index``: its index in the job); the queue with
        the next post. ValidationError (422, field ``post_index``) if the post is not in the queue."""
        return self._send(calls.skip_review(job_id, post_index, offsets))

    def decision_models(self, kb_id: str) -> list[DecisionModelInfo]:
        """The versions of the knowledge base's own decision model, oldest first, and which is ``active``
        (none active, or none at all: its checks use the shared model). Editor or admin role."""
        return self._send(calls.decision_models(kb_id))

    def activate_decision_model(self, kb_id: str, version: int) -> DecisionModelInfo:
        """Make version ``version`` the one the knowledge base's checks and analyses use (rolling back is
        activating an earlier one). NotFoundError for a version it does not have. Editor or admin role."""
        return self._send(calls.activate_decision_model(kb_id, version))
