"""The meta collection: the store's record, the knowledge bases' headers, the audit log and the API keys.

Every record is a point with a one-dimensional placeholder vector, told apart by its payload's ``kind``:
``store``, ``kb``, ``audit``, ``pending_edit`` (the edit journal, see :mod:`.writes`), ``api_key``, and
``feedback`` and ``review_progress`` (reviewers' feedback on verdicts, see :mod:`.feedback`), and
``decision_model`` and ``decision_model_active`` (a knowledge base's own decision models, see
:mod:`.decision_models`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge_base.errors import NotFoundError
from knowledge_base.models import ItemKind, KnowledgeBaseContent
from knowledge_base.repository.layout import META_COLLECTION, stable_id
from knowledge_base.store.base import MatchFilter, PointRecord, SparseVector, VectorStore

STORE_RECORD_ID = 1


@dataclass(frozen=True)
class Header:
    """A knowledge base's record: its live version and generation, and its fields other than the items."""

    kb_id: str
    version: int
    generation: int
    updated_at: str
    fields: dict[str, Any]

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Header:
        return cls(
            payload["kb_id"],
            int(payload["version"]),
            int(payload["generation"]),
            payload["updated_at"],
            payload["fields"],
        )


@dataclass(frozen=True)
class AuditEntry:
    """Who changed a knowledge base and how (the version and time are added when it is written)."""

    actor: str
    action: str
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @staticmethod
    def diff(actor: str, action: str, old: KnowledgeBaseContent | None, new: KnowledgeBaseContent) -> AuditEntry:
        """The entry for replacing ``old`` by ``new``: items as ``section/id`` added, changed and removed."""

        def items(kb: KnowledgeBaseContent | None) -> dict[str, Any]:
            if kb is None:
                return {}
            return {f"{k.value}/{i.id}": i.model_dump(mode="json") for k in ItemKind for i in kb.items(k)}

        before, after = items(old), items(new)
        return AuditEntry(
            actor,
            action,
            added=tuple(key for key in after if key not in before),
            changed=tuple(key for key in after if key in before and before[key] != after[key]),
            removed=tuple(key for key in before if key not in after),
        )


def meta_point(point_id: int, payload: dict[str, Any]) -> PointRecord:
    """A meta record as a point (the vector is a placeholder: meta records are never searched)."""
    return PointRecord(point_id, np.ones(1, dtype=np.float32), SparseVector([], []), payload)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class MetaRecords:
    """Reads and writes the store's record, the headers and the audit log."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store

    def ensure_collection(self) -> None:
        """Create the meta collection on first use."""
        if not self.store.collection_exists(META_COLLECTION):
            self.store.create_collection(META_COLLECTION, 1, ("kind", "kb_id"))

    def put(self, point_id: int, payload: dict[str, Any]) -> None:
        self.store.upsert(META_COLLECTION, [meta_point(point_id, payload)])

    def delete(self, ids: Sequence[int]) -> None:
        self.store.delete(META_COLLECTION, ids=list(ids))

    def retrieve(self, point_id: int) -> dict[str, Any] | None:
        """The payload of one record, if there is one."""
        found = self.store.retrieve(META_COLLECTION, [point_id])
        return found[0].payload if found else None

    def of_kind(self, kind: str) -> list[PointRecord]:
        """Every record of a kind."""
        return self.store.scroll(META_COLLECTION, MatchFilter({"kind": kind}))

    def count(self, kind: str) -> int:
        """How many records of a kind there are."""
        return self.store.count(META_COLLECTION, MatchFilter({"kind": kind}))

    # -- the store's record ---------------------------------------------------------------------

    def store_record(self) -> dict[str, Any] | None:
        """Model id, dimension, lexical signature, live items collection, whether the samples were seeded."""
        return self.retrieve(STORE_RECORD_ID)

    def put_store_record(self, record: dict[str, Any]) -> None:
        self.put(STORE_RECORD_ID, record)

    def stored_model(self) -> tuple[str, int]:
        """The model id and dimension the store's vectors were made with."""
        record = self.store_record() or {}
        return str(record.get("model_id")), int(record.get("dimension", 0))

    def seeded(self) -> bool:
        """Whether the sample knowledge bases were loaded into this store once already."""
        return bool((self.store_record() or {}).get("seeded"))

    def mark_seeded(self) -> bool:
        """Record that the sample knowledge bases were offered; True the first time only."""
        record = self.store_record() or {}
        if record.get("seeded"):
            return False
        self.put_store_record({**record, "seeded": True})
        return True

    # -- headers --------------------------------------------------------------------------------

    def header(self, kb_id: str) -> Header | None:
        found = self.retrieve(stable_id("kb", kb_id))
        return Header.from_payload(found) if found is not None else None

    def headers(self) -> list[Header]:
        """Every knowledge base's header, by id."""
        return sorted((Header.from_payload(r.payload) for r in self.of_kind("kb")), key=lambda h: h.kb_id)

    def require_header(self, kb_id: str) -> Header:
        """The header of a knowledge base; NotFoundError if there is none."""
        header = self.header(kb_id)
        if header is None:
            raise NotFoundError(f"knowledge base '{kb_id}' not found", extra={"kb_id": kb_id})
        return header

    def write_header(
        self, kb_id: str, version: int, generation: int, fields: dict[str, Any], audit: AuditEntry
    ) -> None:
        """Make ``version`` (at ``generation``) the live one, with its audit record."""
        payload = {
            "kind": "kb",
            "kb_id": kb_id,
            "version": version,
            "generation": generation,
            "updated_at": _now(),
            "fields": fields,
        }
        # One upsert: the new version and its audit record land together or not at all.
        self.store.upsert(
            META_COLLECTION,
            [meta_point(stable_id("kb", kb_id), payload), self._audit_point(kb_id, version, audit)],
        )

    def remove_header(self, kb_id: str, version: int, audit: AuditEntry) -> None:
        """Record the deletion in the audit log, then drop the knowledge base's header."""
        self.store.upsert(META_COLLECTION, [self._audit_point(kb_id, version, audit)])
        self.delete([stable_id("kb", kb_id)])

    # -- audit log ------------------------------------------------------------------------------

    @staticmethod
    def _audit_point(kb_id: str, version: int, audit: AuditEntry) -> PointRecord:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        payload = {
            "kind": "audit",
            "kb_id": kb_id,
            "version": version,
            "at": at,
            "actor": audit.actor,
            "action": audit.action,
            "added": list(audit.added),
            "changed": list(audit.changed),
            "removed": list(audit.removed),
        }
        return meta_point(stable_id("audit", kb_id, str(version), at, uuid.uuid4().hex), payload)

    def last_version(self, kb_id: str) -> int:
        """The highest version the audit log records for ``kb_id`` (0 if none). A knowledge base made again under
        the id of a deleted one goes on from it, so that no version number ever names two contents (caches,
        feedback and ``expected_version`` all take a version to name one)."""
        return max((int(payload.get("version", 0)) for payload in self._audit_payloads(kb_id)), default=0)

    def audit_point(self, kb_id: str, version: int, audit: AuditEntry) -> PointRecord:
        """An audit record as a point, for a caller that writes it together with its own record."""
        return self._audit_point(kb_id, version, audit)

    def audit_log(self, kb_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Changes to knowledge bases, newest first: when, who, what, and the version it produced."""
        entries = sorted(self._audit_payloads(kb_id), key=lambda p: (p["at"], p["version"]), reverse=True)
        return [{key: value for key, value in entry.items() if key != "kind"} for entry in entries[:limit]]

    def _audit_payloads(self, kb_id: str | None) -> list[dict[str, Any]]:
        """Every audit record's payload, of one knowledge base or (``None``) of all."""
        must: dict[str, str] = {"kind": "audit"}
        if kb_id is not None:
            must["kb_id"] = kb_id
        return [record.payload for record in self.store.scroll(META_COLLECTION, MatchFilter(must))]


@dataclass(frozen=True)
class ApiKeyRecord:
    """An API key made through the API: its SHA-256 (never the key itself), name, role and who made it."""

    name: str
    role: str
    sha256: str
    created_at: str
    created_by: str
    rate_per_minute: int | None = None

    @property
    def key_id(self) -> str:
        """The first 12 hex digits of the SHA-256: identifies the key in listings and logs."""
        return self.sha256[:12]

    def to_payload(self) -> dict[str, Any]:
        return {
            "kind": "api_key",
            "name": self.name,
            "role": self.role,
            "sha256": self.sha256,
            "key_id": self.key_id,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "rate": self.rate_per_minute,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ApiKeyRecord:
        return cls(
            name=payload["name"],
            role=payload["role"],
            sha256=payload["sha256"],
            created_at=payload["created_at"],
            created_by=payload["created_by"],
            rate_per_minute=payload.get("rate"),
        )


class ApiKeyRecords:
    """The API keys kept in the meta collection, so that every worker on one store sees the same keys."""

    def __init__(self, records: MetaRecords) -> None:
        self.records = records

    @staticmethod
    def _point_id(sha256: str) -> int:
        return stable_id("api_key", sha256)

    def count(self) -> int:
        return self.records.count("api_key")

    def find(self, sha256: str) -> ApiKeyRecord | None:
        """The key with this SHA-256, if one was made."""
        found = self.records.retrieve(self._point_id(sha256))
        return ApiKeyRecord.from_payload(found) if found is not None else None

    def list_all(self) -> list[ApiKeyRecord]:
        """Every key, oldest first."""
        ordered = sorted(self.records.of_kind("api_key"), key=lambda r: str(r.payload["created_at"]))
        return [ApiKeyRecord.from_payload(record.payload) for record in ordered]

    def add(self, key: ApiKeyRecord) -> None:
        self.records.put(self._point_id(key.sha256), key.to_payload())

    def delete(self, key_id: str) -> None:
        """Delete the key (keys) with this key id."""
        self.records.delete([r.id for r in self.records.of_kind("api_key") if r.payload["key_id"] == key_id])
