"""The repository as callers see it: one object that puts the parts together and serialises the writes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from knowledge_base.models import AnyItem, ItemKind, KnowledgeBase, KnowledgeBaseContent
from knowledge_base.repository.claims import ClaimPoints
from knowledge_base.repository.context import ClaimTexts, Embedder, LexicalEncoderLike, RepositoryContext
from knowledge_base.repository.decision_models import DecisionModelRecords
from knowledge_base.repository.feedback import FeedbackRecords
from knowledge_base.repository.migrations import Migrations
from knowledge_base.repository.reads import KnowledgeBaseReader
from knowledge_base.repository.records import ApiKeyRecords, MetaRecords
from knowledge_base.repository.reindex import Reindexer
from knowledge_base.repository.search import HybridSearch, SearchHit
from knowledge_base.repository.writes import EditJournal, KnowledgeBaseWriter
from knowledge_base.store.base import VectorStore

Vectors = np.ndarray[Any, np.dtype[np.float32]]


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
        self._context = RepositoryContext(store, embedder, lexical)
        self.records = MetaRecords(store)
        self.api_keys = ApiKeyRecords(self.records)
        self.feedback = FeedbackRecords(self.records)
        self.decision_models = DecisionModelRecords(self.records)
        self._claims = ClaimPoints(self._context, self.records, claim_texts)
        self._reader = KnowledgeBaseReader(self._context, self.records)
        journal = EditJournal(self._context, self.records)
        self._writer = KnowledgeBaseWriter(self._context, self.records, self._claims, self._reader, journal)
        self._search = HybridSearch(self._context, self.records)
        self._migrations = Migrations(self._context, self.records, journal)
        self._reindexer = Reindexer(self._context, self.records, self._claims, self._reader)

    # -- the store ------------------------------------------------------------------------------

    def open(self, allow_model_mismatch: bool = False) -> None:
        """Create the collections on first use, check the model, and drop unfinished writes."""
        with self._write_lock:
            self._migrations.run(allow_model_mismatch)

    @property
    def items_collection(self) -> str:
        """Where the items' points are kept (a reindex moves them to the next collection)."""
        return self._context.items_collection

    @property
    def claims_collection(self) -> str:
        """Where the vectors of the facts' claims are kept."""
        return self._context.claims_collection

    @property
    def stored_model(self) -> tuple[str, int]:
        """The model id and dimension the store's vectors were made with."""
        return self.records.stored_model()

    @property
    def seeded(self) -> bool:
        """Whether the sample knowledge bases were loaded into this store once already."""
        return self.records.seeded()

    def mark_seeded(self) -> bool:
        """Record that the sample knowledge bases were offered; True the first time only."""
        with self._write_lock:
            return self.records.mark_seeded()

    def audit_log(self, kb_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Changes to knowledge bases, newest first: when, who, what, and the version it produced."""
        return self.records.audit_log(kb_id, limit)

    # -- reading --------------------------------------------------------------------------------

    def list_all(self) -> list[KnowledgeBase]:
        """Every knowledge base, by id."""
        return self._reader.list_all()

    def get(self, kb_id: str) -> KnowledgeBase:
        """The live version of a knowledge base."""
        return self._reader.get(kb_id)

    def exists(self, kb_id: str) -> bool:
        """Whether a knowledge base with this id is stored."""
        return self._reader.exists(kb_id)

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
        with self._write_lock:
            return self._writer.save(
                kb_id,
                content,
                create_only=create_only,
                must_exist=must_exist,
                expected_version=expected_version,
                actor=actor,
            )

    def delete(self, kb_id: str, expected_version: int | None = None, actor: str = "system") -> None:
        """Delete a knowledge base, all its items, its reviewers' feedback and its own decision models (the audit
        log keeps what happened). The knowledge base goes first: a delete cut short leaves at most records
        nothing reads until it is deleted again."""
        with self._write_lock:
            self._writer.delete(kb_id, expected_version, actor)
            self.feedback.delete_of(kb_id)
            self.decision_models.delete_of(kb_id)

    def put_item(
        self, kb_id: str, kind: ItemKind, item: AnyItem, *, create: bool, actor: str = "system"
    ) -> KnowledgeBase:
        """Add (``create``) or replace one item in place; bumps the version."""
        with self._write_lock:
            return self._writer.put_item(kb_id, kind, item, create=create, actor=actor)

    def delete_item(self, kb_id: str, kind: ItemKind, item_id: str, actor: str = "system") -> KnowledgeBase:
        """Delete one item; bumps the version."""
        with self._write_lock:
            return self._writer.delete_item(kb_id, kind, item_id, actor)

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-embed every item with the configured model into a fresh collection, then switch to it.

        A crash before the switch leaves the old collection live; returns the number of items."""
        with self._write_lock:
            return self._reindexer.run(progress)

    # -- claims and search ----------------------------------------------------------------------

    def claim_vectors(
        self, kb_id: str, claims: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], tuple[str, Vectors]]:
        """The stored text and vector of each (fact id, claim number) of the live version that has one."""
        return self._claims.vectors(kb_id, claims)

    def search(
        self,
        kb_id: str,
        texts: Sequence[str],
        kinds: Sequence[ItemKind] | None = None,
        limit: int = 5,
        vectors: Vectors | None = None,
    ) -> list[list[SearchHit]]:
        """The items nearest each text (hybrid dense + lexical, RRF-fused), with their cosine and
        lexical scores. ``vectors`` may carry the texts' embeddings when the caller has them."""
        return self._search.search(kb_id, texts, kinds, limit, vectors)

    def nearest_ids(
        self,
        kb_id: str,
        texts: Sequence[str],
        kinds: Sequence[ItemKind] | None = None,
        limit: int = 5,
        vectors: Vectors | None = None,
    ) -> list[list[str]]:
        """The ids of the items nearest each text, best first: the ranking of ``search`` without its scores,
        which is what the checker needs."""
        return self._search.nearest_ids(kb_id, texts, kinds, limit, vectors)
