"""Reviewers' feedback on verdicts and their progress through review queues, kept in the meta collection.

A feedback entry is a record of kind ``feedback`` (with its knowledge base's id, so that one knowledge base's
entries are read with one filtered scroll) written in the same upsert as its audit record: an entry is never
stored without its line in the audit log, nor the other way round. A reviewer's place in the review queue of an
analysis job is a record of kind ``review_progress``, one per job and reviewer.

The records hold JSON-ready dicts: what they mean is the service's business (``service/feedback``).
"""

from __future__ import annotations

from typing import Any

from knowledge_base.repository.layout import META_COLLECTION, stable_id
from knowledge_base.repository.records import AuditEntry, MetaRecords, meta_point
from knowledge_base.store.base import MatchFilter


class FeedbackRecords:
    """Feedback entries, one record each, and the reviewers' progress through review queues."""

    def __init__(self, records: MetaRecords) -> None:
        self.records = records

    @staticmethod
    def _point_id(kb_id: str, feedback_id: str) -> int:
        return stable_id("feedback", kb_id, feedback_id)

    def add(self, kb_id: str, feedback_id: str, version: int, entry: dict[str, Any], audit: AuditEntry) -> None:
        """Store an entry and its audit record together (one upsert: both or neither)."""
        payload = {"kind": "feedback", "kb_id": kb_id, "feedback_id": feedback_id, "entry": entry}
        audit_point = self.records.audit_point(kb_id, version, audit)
        self.records.store.upsert(
            META_COLLECTION, [meta_point(self._point_id(kb_id, feedback_id), payload), audit_point]
        )

    def list(self, kb_id: str) -> list[dict[str, Any]]:
        """Every entry of a knowledge base, in no particular order."""
        found = self.records.store.scroll(META_COLLECTION, MatchFilter({"kind": "feedback", "kb_id": kb_id}))
        return [dict(record.payload["entry"]) for record in found]

    def count(self, kb_id: str) -> int:
        """How many entries a knowledge base has."""
        return self.records.store.count(META_COLLECTION, MatchFilter({"kind": "feedback", "kb_id": kb_id}))

    def delete_of(self, kb_id: str) -> None:
        """Delete a knowledge base's entries and every reviewer's progress through its review queues (with the
        knowledge base; its audit log stays)."""
        for kind in ("feedback", "review_progress"):
            self.records.store.delete(META_COLLECTION, filter=MatchFilter({"kind": kind, "kb_id": kb_id}))

    # -- review queues --------------------------------------------------------------------------

    @staticmethod
    def _progress_id(job_id: str, reviewer: str) -> int:
        return stable_id("review_progress", job_id, reviewer)

    def progress(self, job_id: str, reviewer: str) -> dict[str, Any] | None:
        """A reviewer's progress through the review queue of an analysis job, if they started it."""
        found = self.records.retrieve(self._progress_id(job_id, reviewer))
        return dict(found["progress"]) if found is not None else None

    def put_progress(self, job_id: str, reviewer: str, kb_id: str, progress: dict[str, Any]) -> None:
        """Replace a reviewer's progress through a job's review queue."""
        payload = {"kind": "review_progress", "kb_id": kb_id, "job_id": job_id, "reviewer": reviewer}
        self.records.put(self._progress_id(job_id, reviewer), {**payload, "progress": progress})
