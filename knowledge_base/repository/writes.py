"""Writing knowledge bases: whole replaces, deletes and single-item edits, and the journal that makes an
item edit all-or-nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from knowledge_base.errors import ConflictError, InvalidInputError, NotFoundError
from knowledge_base.loading import field_errors
from knowledge_base.models import ITEM_MODELS, KB_ID_PATTERN, AnyItem, ItemKind, KnowledgeBase, KnowledgeBaseContent
from knowledge_base.repository.claims import ClaimPoints
from knowledge_base.repository.context import RepositoryContext
from knowledge_base.repository.layout import live_key, stable_id
from knowledge_base.repository.reads import KnowledgeBaseReader
from knowledge_base.repository.records import AuditEntry, Header, MetaRecords
from knowledge_base.store.base import MatchFilter, PointRecord

UPSERT_BATCH = 256
OPTIMIZE_AFTER = 1_000  # points written in one go before the indexes are rebuilt
HEADER_FIELDS = ("brand", "product", "lang", "absolute_terms", "absolute_exceptions")


def item_point_id(kb_id: str, generation: int, item_id: str) -> int:
    return stable_id("item", kb_id, str(generation), item_id)


def validate_item(kind: ItemKind, data: Any) -> AnyItem:
    """Validate one item of a kind, raising InvalidInputError with the field errors."""
    try:
        return ITEM_MODELS[kind].model_validate(data)  # type: ignore[return-value]
    except ValidationError as exc:
        errors = [error.as_dict() for error in field_errors(exc, data)]
        raise InvalidInputError(f"invalid {kind.value.rstrip('s').replace('_', ' ')}", extra=errors) from exc


class EditJournal:
    """An item edit writes the item, then the new version: two writes in two collections. A journal record
    written first holds what the item was, so an edit cut off between the two is undone on the next open."""

    def __init__(self, context: RepositoryContext, records: MetaRecords) -> None:
        self.context = context
        self.records = records

    def begin(self, kb_id: str, version: int, point_id: int, previous: dict[str, Any] | None) -> None:
        """Record that ``point_id`` is about to change from ``previous`` (None: it is new) for ``version``."""
        payload = {"kind": "pending_edit", "kb_id": kb_id, "version": version, "point_id": point_id}
        payload["previous"] = previous
        self.records.put(stable_id("pending", kb_id), payload)

    def end(self, kb_id: str) -> None:
        """The edit's version landed: forget the journal record."""
        self.records.delete([stable_id("pending", kb_id)])

    def undo_unfinished(self) -> None:
        """Put back the items of edits whose version never landed."""
        store, items = self.context.store, self.context.items_collection
        for record in self.records.of_kind("pending_edit"):
            pending = record.payload
            header = self.records.header(pending["kb_id"])
            if header is not None and header.version < pending["version"]:
                previous = pending.get("previous")
                if previous is None:
                    store.delete(items, ids=[int(pending["point_id"])])
                else:
                    text = previous["item"]["text"]
                    dense = self.context.embedder.encode([text])[0]
                    sparse = self.context.lexical.encode_documents([text])[0]
                    store.upsert(items, [PointRecord(int(pending["point_id"]), dense, sparse, previous)])
            self.records.delete([record.id])


class KnowledgeBaseWriter:
    """Creates, replaces and deletes knowledge bases and their items; every change bumps the version."""

    def __init__(
        self,
        context: RepositoryContext,
        records: MetaRecords,
        claims: ClaimPoints,
        reader: KnowledgeBaseReader,
        journal: EditJournal,
    ) -> None:
        self.context = context
        self.records = records
        self.claims = claims
        self.reader = reader
        self.journal = journal

    def save(
        self,
        kb_id: str,
        content: KnowledgeBaseContent,
        *,
        create_only: bool,
        must_exist: bool,
        expected_version: int | None,
        actor: str,
    ) -> KnowledgeBase:
        """Create or atomically replace a whole knowledge base; returns the stored version."""
        if not re.fullmatch(KB_ID_PATTERN, kb_id):
            raise InvalidInputError(
                f"invalid knowledge-base id {kb_id!r}",
                extra=[{"field": "kb_id", "message": "lowercase letters, digits, '-' and '_', at most 64"}],
            )
        store = self.context.store
        items_collection, claims_collection = self.context.items_collection, self.context.claims_collection
        current = self.records.header(kb_id)
        if create_only and current is not None:
            raise ConflictError(f"knowledge base '{kb_id}' already exists", extra={"kb_id": kb_id})
        if must_exist and current is None:
            raise NotFoundError(f"knowledge base '{kb_id}' not found", extra={"kb_id": kb_id})
        _check_version(kb_id, current, expected_version)
        generation = current.generation + 1 if current else 1
        items = [(kind, item) for kind in ItemKind for item in content.items(kind)]
        points, claims = self._points(kb_id, generation, content.brand, content.product, items, start_order=0)
        for start in range(0, len(points), UPSERT_BATCH):
            store.upsert(items_collection, points[start : start + UPSERT_BATCH])
        for start in range(0, len(claims), UPSERT_BATCH):
            store.upsert(claims_collection, claims[start : start + UPSERT_BATCH])
        if len(points) >= OPTIMIZE_AFTER:
            store.optimize(items_collection)  # index before going live, so that the first queries need no scan
        fields = content.model_dump(mode="json", include=set(HEADER_FIELDS))
        previous = self.reader.load(current) if current else None
        audit = AuditEntry.diff(actor, "replace" if current else "create", previous, content)
        version = current.version if current else self.records.last_version(kb_id)
        self.records.write_header(kb_id, version + 1, generation, fields, audit)
        if current is not None and current.generation > 1:
            # Keep the previous generation for readers that started before the flip.
            stale = MatchFilter({"kb_generation": live_key(kb_id, current.generation - 1)})
            store.delete(items_collection, filter=stale)
            store.delete(claims_collection, filter=stale)
        return self.reader.get(kb_id)

    def delete(self, kb_id: str, expected_version: int | None, actor: str) -> None:
        """Delete a knowledge base and all its items."""
        header = self.records.require_header(kb_id)
        _check_version(kb_id, header, expected_version)
        self.records.remove_header(kb_id, header.version, AuditEntry(actor, "delete"))
        self.context.store.delete(self.context.items_collection, filter=MatchFilter({"kb_id": kb_id}))
        self.context.store.delete(self.context.claims_collection, filter=MatchFilter({"kb_id": kb_id}))
        self.reader.forget(kb_id)

    def put_item(self, kb_id: str, kind: ItemKind, item: AnyItem, *, create: bool, actor: str) -> KnowledgeBase:
        """Add (``create``) or replace one item in place."""
        store, items_collection = self.context.store, self.context.items_collection
        header = self.records.require_header(kb_id)
        kb = self.reader.load(header)
        found = kb.find(item.id)
        if create and found is not None:
            raise ConflictError(
                f"item '{item.id}' already exists in knowledge base '{kb_id}' ({found[0].value})",
                extra={"kb_id": kb_id, "item_id": item.id},
            )
        if not create and (found is None or found[0] != kind):
            raise _item_not_found(kb_id, kind, item.id)
        existing = store.retrieve(items_collection, [item_point_id(kb_id, header.generation, item.id)])
        order = int(existing[0].payload["order"]) if existing else self._next_order(kb_id, header.generation)
        points, claims = self._points(kb_id, header.generation, kb.brand, kb.product, [(kind, item)], start_order=order)
        self.journal.begin(kb_id, header.version + 1, points[0].id, existing[0].payload if existing else None)
        store.upsert(items_collection, points)
        if found is not None:
            self.claims.delete_of(kb, header.generation, *found)
        store.upsert(self.context.claims_collection, claims)
        key = (f"{kind.value}/{item.id}",)
        audit = AuditEntry(actor, "add_item", added=key) if create else AuditEntry(actor, "update_item", changed=key)
        self.records.write_header(kb_id, header.version + 1, header.generation, dict(header.fields), audit)
        self.journal.end(kb_id)
        return self.reader.get(kb_id)

    def delete_item(self, kb_id: str, kind: ItemKind, item_id: str, actor: str) -> KnowledgeBase:
        """Delete one item."""
        store, items_collection = self.context.store, self.context.items_collection
        header = self.records.require_header(kb_id)
        kb = self.reader.load(header)
        found = kb.find(item_id)
        if found is None or found[0] != kind:
            raise _item_not_found(kb_id, kind, item_id)
        point_id = item_point_id(kb_id, header.generation, item_id)
        existing = store.retrieve(items_collection, [point_id])
        self.journal.begin(kb_id, header.version + 1, point_id, existing[0].payload if existing else None)
        store.delete(items_collection, ids=[point_id])
        self.claims.delete_of(kb, header.generation, *found)
        audit = AuditEntry(actor, "delete_item", removed=(f"{kind.value}/{item_id}",))
        self.records.write_header(kb_id, header.version + 1, header.generation, dict(header.fields), audit)
        self.journal.end(kb_id)
        return self.reader.get(kb_id)

    def _next_order(self, kb_id: str, generation: int) -> int:
        points = self.context.store.scroll(
            self.context.items_collection, MatchFilter({"kb_id": kb_id, "generation": generation})
        )
        return max((int(p.payload["order"]) for p in points), default=-1) + 1

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
            for claim in self.claims.of_fact(brand, product, item.id, item.text)
        ]
        dense, claim_vectors = self.claims.encode_with_claims(texts, [text for _, _, text in claims])
        sparse = self.context.lexical.encode_documents(texts)
        claim_points = self.claims.points(kb_id, generation, claims, claim_vectors)
        return [
            PointRecord(
                id=item_point_id(kb_id, generation, item.id),
                dense=dense[index],
                sparse=sparse[index],
                payload={
                    "kb_id": kb_id,
                    "generation": generation,
                    # Keyword-indexed: filtering on the unindexed integer generation costs a payload scan.
                    "kb_generation": live_key(kb_id, generation),
                    "product": product,
                    "kind": kind.value,
                    "item_id": item.id,
                    "order": start_order + index,
                    "item": item.model_dump(mode="json", exclude_none=True),
                },
            )
            for index, (kind, item) in enumerate(items)
        ], claim_points


def _check_version(kb_id: str, header: Header | None, expected: int | None) -> None:
    if expected is None:
        return
    actual = header.version if header else 0
    if actual != expected:
        raise ConflictError(
            f"knowledge base '{kb_id}' is at version {actual}, not {expected}; reload it and retry",
            extra={"kb_id": kb_id, "version": actual, "expected_version": expected},
        )


def _item_not_found(kb_id: str, kind: ItemKind, item_id: str) -> NotFoundError:
    return NotFoundError(
        f"{kind.value.rstrip('s').replace('_', ' ')} '{item_id}' not found in knowledge base '{kb_id}'",
        extra={"kb_id": kb_id, "item_id": item_id},
    )
