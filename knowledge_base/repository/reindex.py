"""Re-embedding every item with the configured model into fresh collections, then switching to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from knowledge_base.models import ItemKind
from knowledge_base.repository.claims import Claim, ClaimPoints
from knowledge_base.repository.context import RepositoryContext
from knowledge_base.repository.layout import (
    CLAIM_INDEXES,
    ITEM_INDEXES,
    claims_collection_of,
    items_collection_named,
    items_collection_number,
)
from knowledge_base.repository.reads import KnowledgeBaseReader
from knowledge_base.repository.records import Header, MetaRecords
from knowledge_base.repository.writes import OPTIMIZE_AFTER, UPSERT_BATCH
from knowledge_base.store.base import PointRecord


class Reindexer:
    """Writes collection N+1 from the live points of collection N; the store's record then names N+1."""

    def __init__(
        self, context: RepositoryContext, records: MetaRecords, claims: ClaimPoints, reader: KnowledgeBaseReader
    ) -> None:
        self.context = context
        self.records = records
        self.claims = claims
        self.reader = reader

    def run(self, progress: Callable[[int, int], None] | None) -> int:
        """Re-embed every live item; a crash before the switch leaves the old collection live. Returns the
        number of items."""
        store, embedder = self.context.store, self.context.embedder
        record = self.records.store_record()
        assert record is not None, "open() first"
        old = str(record["items_collection"])
        new = items_collection_named(items_collection_number(old) + 1)
        new_claims = claims_collection_of(new)
        self._recreate(new, new_claims)
        headers = {header.kb_id: header for header in self.records.headers()}
        points = [
            p
            for p in store.scroll(old)
            if p.payload.get("kb_id", "") in headers
            and headers[p.payload["kb_id"]].generation == p.payload.get("generation")
        ]
        done = 0
        for batch in _chunks(points, UPSERT_BATCH):
            self._write_batch(batch, headers, new, new_claims)
            done += len(batch)
            if progress:
                progress(done, len(points))
        self.records.put_store_record(
            {
                **record,
                "model_id": embedder.model_id,
                "dimension": embedder.dimension,
                "lexical": self.context.lexical.signature,
                "items_collection": new,
            }
        )
        if len(points) >= OPTIMIZE_AFTER:
            store.optimize(new)
        self.context.items_collection = new
        store.delete_collection(old)
        store.delete_collection(claims_collection_of(old))
        self.reader.forget_all()
        return len(points)

    def _recreate(self, items: str, claims: str) -> None:
        """Empty items and claims collections (a stopped reindex may have left them half written)."""
        store, dimension = self.context.store, self.context.embedder.dimension
        if store.collection_exists(items):
            store.delete_collection(items)
        store.create_collection(items, dimension, ITEM_INDEXES, quantized=True)
        if store.collection_exists(claims):
            store.delete_collection(claims)
        store.create_collection(claims, dimension, CLAIM_INDEXES, dense_index=False)

    def _write_batch(
        self, batch: Sequence[PointRecord], headers: dict[str, Header], items: str, claims_collection: str
    ) -> None:
        """The batch's points with new vectors, and the claims of its facts."""
        texts = [p.payload["item"]["text"] for p in batch]
        claims: dict[str, list[Claim]] = {}
        for p, text in zip(batch, texts, strict=True):
            if p.payload["kind"] == ItemKind.FACT.value:
                fields = headers[p.payload["kb_id"]].fields
                claims.setdefault(p.payload["kb_id"], []).extend(
                    self.claims.of_fact(fields.get("brand", ""), fields.get("product", ""), p.payload["item_id"], text)
                )
        dense, claim_vectors = self.claims.encode_with_claims(
            texts, [text for found in claims.values() for _, _, text in found]
        )
        sparse = self.context.lexical.encode_documents(texts)
        store = self.context.store
        store.upsert(items, [PointRecord(p.id, dense[i], sparse[i], p.payload) for i, p in enumerate(batch)])
        offset = 0
        for kb_id, found in claims.items():
            points = self.claims.points(
                kb_id, headers[kb_id].generation, found, claim_vectors[offset : offset + len(found)]
            )
            store.upsert(claims_collection, points)
            offset += len(found)


def _chunks(items: Sequence[PointRecord], size: int) -> Iterator[Sequence[PointRecord]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
