"""A knowledge base's own decision models (fitted on the dev data plus its reviewers' feedback), kept in the
meta collection: one record per version and one pointer to the active version.

A version is a record of kind ``decision_model``: ``{kb_id, version (1, 2, ...), created_at, created_by,
trained_on, feedback (entries learned from), model_id (unique), model (the decision's JSON, ~12 KB)}``. The
pointer is a record of kind ``decision_model_active``: ``{kb_id, version, model_id}`` (the active version's),
``version`` null when the knowledge base is back on the shared model. A new version and its pointer are
written in one upsert with their audit record, and so is an activation: a knowledge base never points at a
version that is not stored, and no change is unlogged. Deleting a knowledge base deletes its versions and
pointer: one made again under the same id numbers its versions from 1, and ``model_id`` tells its version 1
from the deleted one's.

The records hold JSON-ready dicts: what the model means is the service's business (``service/check/decision.py``).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

from knowledge_base.repository.layout import META_COLLECTION, stable_id
from knowledge_base.repository.records import AuditEntry, MetaRecords, meta_point
from knowledge_base.store.base import MatchFilter

VERSION_KIND = "decision_model"
ACTIVE_KIND = "decision_model_active"


class DecisionModelRecords:
    """The versions of each knowledge base's decision model and which one is active."""

    def __init__(self, records: MetaRecords) -> None:
        self.records = records
        self._lock = threading.Lock()  # numbers versions one at a time (within a process)

    @staticmethod
    def _version_id(kb_id: str, version: int) -> int:
        return stable_id(VERSION_KIND, kb_id, str(version))

    @staticmethod
    def _active_id(kb_id: str) -> int:
        return stable_id(ACTIVE_KIND, kb_id)

    def versions(self, kb_id: str) -> list[dict[str, Any]]:
        """Every version of a knowledge base's model, oldest first (each with its ``model``)."""
        found = self.records.store.scroll(META_COLLECTION, MatchFilter({"kind": VERSION_KIND, "kb_id": kb_id}))
        return sorted((dict(record.payload) for record in found), key=lambda payload: int(payload["version"]))

    def get(self, kb_id: str, version: int) -> dict[str, Any] | None:
        """One version, if it is stored."""
        found = self.records.retrieve(self._version_id(kb_id, version))
        return dict(found) if found is not None else None

    def active(self, kb_id: str) -> int | None:
        """The active version of a knowledge base's model; None: it uses the shared model."""
        pointer = self.active_pointer(kb_id)
        return None if pointer is None else pointer[0]

    def active_pointer(self, kb_id: str) -> tuple[int, str] | None:
        """The active version and its unique ``model_id`` (which tells versions of the same number apart, across
        a deletion of the knowledge base); None: it uses the shared model."""
        found = self.records.retrieve(self._active_id(kb_id))
        if found is None or found.get("version") is None:
            return None
        return int(found["version"]), str(found.get("model_id", ""))

    def delete_of(self, kb_id: str) -> None:
        """Delete every version of a knowledge base's model and its pointer (with the knowledge base)."""
        for kind in (VERSION_KIND, ACTIVE_KIND):
            self.records.store.delete(META_COLLECTION, filter=MatchFilter({"kind": kind, "kb_id": kb_id}))

    def with_own_model(self) -> int:
        """How many knowledge bases have an active model of their own."""
        return sum(record.payload.get("version") is not None for record in self.records.of_kind(ACTIVE_KIND))

    def add(self, kb_id: str, kb_version: int, model: dict[str, Any], info: dict[str, Any], audit: AuditEntry) -> int:
        """Store ``model`` as the knowledge base's next version and make it active, with its audit record
        (``audit.added`` gets ``decision-model/<N>``); returns N. ``info`` is kept beside it (who, what on)."""
        with self._lock:
            version = max((int(p["version"]) for p in self.versions(kb_id)), default=0) + 1
            payload = {
                "kind": VERSION_KIND,
                "kb_id": kb_id,
                "version": version,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "model_id": uuid.uuid4().hex,
                **info,
                "model": model,
            }
            logged = AuditEntry(audit.actor, audit.action, added=(f"decision-model/{version}",))
            self.records.store.upsert(
                META_COLLECTION,
                [
                    meta_point(self._version_id(kb_id, version), payload),
                    meta_point(self._active_id(kb_id), self._pointer(kb_id, version, payload["model_id"])),
                    self.records.audit_point(kb_id, kb_version, logged),
                ],
            )
            return version

    def activate(self, kb_id: str, kb_version: int, version: int | None, audit: AuditEntry) -> None:
        """Make ``version`` the active one (None: the shared model), with its audit record."""
        stored = self.get(kb_id, version) if version is not None else None
        model_id = str(stored.get("model_id", "")) if stored is not None else ""
        self.records.store.upsert(
            META_COLLECTION,
            [
                meta_point(self._active_id(kb_id), self._pointer(kb_id, version, model_id)),
                self.records.audit_point(kb_id, kb_version, audit),
            ],
        )

    @staticmethod
    def _pointer(kb_id: str, version: int | None, model_id: str) -> dict[str, Any]:
        return {"kind": ACTIVE_KIND, "kb_id": kb_id, "version": version, "model_id": model_id}
